//! The devices a user's push notifications go to: registered by the app on each sign-in,
//! dropped when the user signs the app out or the push service says the token is gone.

use super::{AccountError, Accounts};
use crate::ids::UserId;
use serde::{Deserialize, Serialize};

words! {
    /// What kind of device a push token belongs to.
    pub enum Platform {
        Android = "android",
        Ios = "ios",
        Web = "web",
    }
}

/// A device to push to, as the app registers it.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Device {
    /// The push service's registration token for the app on this device.
    pub token: String,
    pub platform: Platform,
}

/// Longest token taken (FCM's are about 160 characters).
const MAX_TOKEN: usize = 4096;

impl Accounts {
    /// Registers (or moves to this user) a device's push token.
    pub async fn register_device(&self, user: UserId, device: &Device) -> Result<(), AccountError> {
        // Push services' tokens are printable ASCII without spaces (FCM's: letters, digits,
        // `:`, `_` and `-`).
        let token = device.token.trim();
        let printable = token.bytes().all(|b| b.is_ascii_graphic());
        if token.is_empty() || token.len() > MAX_TOKEN || !printable {
            return Err(AccountError::field("token", "err-push-token"));
        }
        sqlx::query(
            "INSERT INTO push_devices (token, user_id, platform) VALUES ($1, $2, $3)
             ON CONFLICT (token) DO UPDATE
                SET user_id = excluded.user_id, platform = excluded.platform, created_at = now()",
        )
        .bind(token)
        .bind(user)
        .bind(device.platform.as_str())
        .execute(self.db())
        .await?;
        Ok(())
    }

    /// Stops pushing to a device of this user's; nothing happens for another user's token.
    pub async fn forget_device(&self, user: UserId, token: &str) -> Result<(), AccountError> {
        sqlx::query("DELETE FROM push_devices WHERE token = $1 AND user_id = $2")
            .bind(token)
            .bind(user)
            .execute(self.db())
            .await?;
        Ok(())
    }
}
