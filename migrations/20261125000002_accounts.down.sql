DROP TABLE reviews;
DROP TABLE theater_admins;
DROP TABLE refresh_tokens;
DROP TABLE phone_verifications;
DROP TABLE user_tokens;
DROP TABLE users;
