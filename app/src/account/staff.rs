//! Who runs which theater: platform admins run them all, theater admins the ones they are
//! assigned, customers none.

#[cfg(feature = "ssr")]
use super::{auth::Principal, AccountError, Accounts, Role};
#[cfg(feature = "ssr")]
use crate::ids::UserId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct ManagedTheater {
    pub id: Uuid,
    pub name: String,
    pub city: String,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
    pub amenities: Vec<String>,
    pub screens: i64,
}

#[cfg(feature = "ssr")]
const THEATERS: &str = "SELECT t.id, t.name, c.name AS city, t.address, t.latitude, t.longitude,
        t.amenities, (SELECT count(*) FROM screens s WHERE s.theater_id = t.id) AS screens
   FROM theaters t JOIN cities c ON c.id = t.city_id";

#[cfg(feature = "ssr")]
/// Whether `user` runs `theater`: a platform admin runs them all, a theater admin those
/// assigned, a customer none. The one place every domain asks.
pub async fn runs_theater(
    db: &sqlx::PgPool,
    user: UserId,
    role: Role,
    theater: Uuid,
) -> Result<bool, sqlx::Error> {
    match role {
        Role::Admin => Ok(true),
        Role::Customer => Ok(false),
        Role::TheaterAdmin => sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM theater_admins WHERE user_id = $1 AND theater_id = $2)",
        )
        .bind(user)
        .bind(theater)
        .fetch_one(db)
        .await,
    }
}

#[cfg(feature = "ssr")]
impl Accounts {
    pub async fn may_manage_theater(
        &self,
        user: UserId,
        role: Role,
        theater: Uuid,
    ) -> Result<bool, AccountError> {
        Ok(runs_theater(self.db(), user, role, theater).await?)
    }

    /// The theaters `who` runs, by city and name; 403 for customers.
    pub async fn managed_theaters(
        &self,
        who: &Principal,
    ) -> Result<Vec<ManagedTheater>, AccountError> {
        who.require(&[Role::TheaterAdmin, Role::Admin])?;
        Ok(sqlx::query_as(&format!(
            "{THEATERS} WHERE $2 OR t.id IN (SELECT theater_id FROM theater_admins WHERE user_id = $1)
              ORDER BY c.name, t.name"
        ))
        .bind(who.user_id)
        .bind(who.role == Role::Admin)
        .fetch_all(self.db())
        .await?)
    }

    /// One theater `who` runs; 403 for anyone else's, 404 when there is none.
    pub async fn managed_theater(
        &self,
        who: &Principal,
        id: Uuid,
    ) -> Result<ManagedTheater, AccountError> {
        who.require(&[Role::TheaterAdmin, Role::Admin])?;
        if !self.may_manage_theater(who.user_id, who.role, id).await? {
            return Err(AccountError::Forbidden);
        }
        sqlx::query_as(&format!("{THEATERS} WHERE t.id = $1"))
            .bind(id)
            .fetch_optional(self.db())
            .await?
            .ok_or(AccountError::NotFound)
    }
}
