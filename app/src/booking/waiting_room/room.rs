//! The room's rules: who goes through, who waits, and the admission token.

use super::{store::Lines, QueuePlace};
use crate::{
    ids::{ShowId, UserId},
    payment::signature,
};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::{sync::Arc, time::Duration};

/// When the room forms and how it lets visitors in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoomSettings {
    /// Holds per second one show takes before a line forms; 0 turns the room off.
    pub per_second: u32,
    /// Holds that may arrive at once above the rate without anyone waiting.
    pub burst: u32,
    /// How long an admission lasts once its time has come.
    pub admission: Duration,
}

impl RoomSettings {
    /// Milliseconds between admissions: the gap between two places in a line.
    pub fn interval_ms(&self) -> i64 {
        (1000 / i64::from(self.per_second.max(1))).max(1)
    }
}

impl Default for RoomSettings {
    fn default() -> Self {
        Self {
            per_second: 100,
            burst: 300,
            admission: Duration::from_secs(600),
        }
    }
}

/// Where a visitor stands when it asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Turn {
    /// Not in the show's line (no line, or its admission ran out).
    NotInLine,
    Waiting(QueuePlace),
    Admitted {
        token: String,
        expires_at: DateTime<Utc>,
    },
}

#[derive(Clone, Default)]
pub struct WaitingRoom(Option<Arc<Room>>);

struct Room {
    lines: Lines,
    /// Milliseconds between admissions.
    interval: i64,
    /// How far ahead of now an arrival may be scheduled and still go straight through.
    ahead: i64,
    lasts: i64,
    key: [u8; 32],
}

/// A place as the store hands it out, in unix milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Place {
    /// 0: straight through, no place kept.
    pub at: i64,
    pub now: i64,
}

impl WaitingRoom {
    /// Everyone straight through.
    pub fn off() -> Self {
        Self(None)
    }

    /// A room in Redis when there is one (shared by every instance), in this process otherwise.
    /// `secret` signs admission tokens; every instance must share it.
    pub fn new(
        settings: RoomSettings,
        secret: &[u8],
        redis: Option<redis::aio::ConnectionManager>,
    ) -> Self {
        if settings.per_second == 0 {
            return Self::off();
        }
        let interval = settings.interval_ms();
        let key = Sha256::new()
            .chain_update(b"district admission\0")
            .chain_update(secret)
            .finalize();
        Self(Some(Arc::new(Room {
            lines: Lines::new(redis),
            interval,
            ahead: interval * i64::from(settings.burst.max(1) - 1),
            lasts: settings.admission.as_millis() as i64,
            key: key.into(),
        })))
    }

    /// Lets `user` on to hold seats of `show`, or says where it stands in the line.
    pub async fn enter(
        &self,
        show: ShowId,
        user: UserId,
        token: Option<&str>,
    ) -> Result<(), QueuePlace> {
        let Some(room) = &self.0 else { return Ok(()) };
        if token.is_some_and(|token| room.admits(token, show, user, now_ms())) {
            return Ok(());
        }
        let place = room
            .lines
            .enter(show, user, room.interval, room.ahead, room.lasts);
        match place.await {
            Some(place) if place.at > place.now => Err(room.waiting(show, place)),
            // Through, admitted, or Redis unreachable: PostgreSQL still decides every seat.
            _ => Ok(()),
        }
    }

    /// Where `user` stands in `show`'s line, with an admission token once its time has come.
    pub async fn turn(&self, show: ShowId, user: UserId) -> Turn {
        let Some(room) = &self.0 else {
            return Turn::NotInLine;
        };
        let now = now_ms();
        let expires = match room.lines.place(show, user, room.lasts).await {
            Ok(None) => return Turn::NotInLine,
            Ok(Some(place)) if place.at > place.now => {
                return Turn::Waiting(room.waiting(show, place))
            }
            Ok(Some(place)) => place.at + room.lasts,
            // The room has stepped aside (holds go straight through): so do those waiting.
            Err(_) => now + room.lasts,
        };
        Turn::Admitted {
            token: room.token(show, user, expires),
            expires_at: DateTime::from_timestamp_millis(expires).unwrap_or_default(),
        }
    }
}

impl Room {
    fn waiting(&self, show: ShowId, place: Place) -> QueuePlace {
        let ahead = place.at - place.now;
        QueuePlace {
            show_id: show,
            position: (ahead as u64).div_ceil(self.interval as u64).max(1),
            estimated_wait_seconds: (ahead as u64).div_ceil(1000).max(1),
        }
    }

    fn token(&self, show: ShowId, user: UserId, expires: i64) -> String {
        let signed = signature::hex_signature(&self.key, claim(show, user, expires).as_bytes());
        format!("{expires}.{signed}")
    }

    fn admits(&self, token: &str, show: ShowId, user: UserId, now: i64) -> bool {
        let Some((expires, signed)) = token.split_once('.') else {
            return false;
        };
        let Ok(expires) = expires.parse::<i64>() else {
            return false;
        };
        let message = claim(show, user, expires);
        expires > now && signature::verify_hex(&self.key, Some(signed), message.as_bytes()).is_ok()
    }
}

fn claim(show: ShowId, user: UserId, expires: i64) -> String {
    format!("{show}:{user}:{expires}")
}

pub(super) fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id<T: From<uuid::Uuid>>() -> T {
        uuid::Uuid::new_v4().into()
    }

    fn room(per_second: u32, burst: u32) -> WaitingRoom {
        let settings = RoomSettings {
            per_second,
            burst,
            admission: Duration::from_secs(60),
        };
        WaitingRoom::new(settings, b"secret", None)
    }

    #[tokio::test]
    async fn a_burst_goes_through_then_a_line_forms_in_order_of_arrival() {
        let room = room(10, 3);
        let show: ShowId = id();
        let users: Vec<UserId> = (0..6).map(|_| id()).collect();
        let mut positions = Vec::new();
        for user in &users {
            positions.push(
                room.enter(show, *user, None)
                    .await
                    .err()
                    .map(|p| p.position),
            );
        }
        assert_eq!(positions, [None, None, None, Some(1), Some(2), Some(3)]);
        // Asking again keeps one's place; it does not take another.
        let again = room.enter(show, users[4], None).await.unwrap_err();
        assert_eq!(again.position, 2);
        assert_eq!(room.enter(show, id(), None).await.unwrap_err().position, 4);
        // Another show has a line of its own.
        assert!(room.enter(id(), users[5], None).await.is_ok());
    }

    #[tokio::test]
    async fn an_admission_token_lets_its_user_in_for_its_show_only() {
        let room = room(1, 1);
        let (show, first, second): (ShowId, UserId, UserId) = (id(), id(), id());
        room.enter(show, first, None).await.unwrap();
        assert!(matches!(room.turn(show, first).await, Turn::NotInLine));
        room.enter(show, second, None).await.unwrap_err();
        let Turn::Waiting(place) = room.turn(show, second).await else {
            panic!("second should wait");
        };
        assert_eq!(place.position, 1);
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let Turn::Admitted { token, .. } = room.turn(show, second).await else {
            panic!("second should be admitted");
        };
        let inner = room.0.as_ref().unwrap();
        let now = now_ms();
        assert!(inner.admits(&token, show, second, now));
        assert!(
            !inner.admits(&token, show, first, now),
            "another user's token"
        );
        assert!(!inner.admits(&token, id(), second, now), "another show");
        assert!(!inner.admits(&token, show, second, now + 61_000), "expired");
        let last = if token.ends_with('0') { '1' } else { '0' };
        let forged = format!("{}{last}", &token[..token.len() - 1]);
        assert!(!inner.admits(&forged, show, second, now));
        assert!(!inner.admits("garbage", show, second, now));
    }

    #[tokio::test]
    async fn off_lets_everyone_through() {
        let room = room(0, 1);
        for _ in 0..10 {
            assert!(room.enter(id(), id(), None).await.is_ok());
        }
    }
}
