pub mod account;
pub mod bookings;
pub mod home;
pub mod movie;
pub mod not_found;
pub mod search;
pub mod show;
pub mod theaters;
