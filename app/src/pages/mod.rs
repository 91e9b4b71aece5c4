pub mod account;
pub mod bookings;
pub mod dashboard;
pub mod data;
pub mod food;
pub mod home;
pub mod movie;
pub mod not_found;
pub mod offer;
pub mod pay;
pub mod search;
pub mod show;
pub mod theaters;
pub mod ticket;
pub mod waitlist;

use crate::components::status::{ErrorState, Loading};
use crate::i18n::t_err;
use data::Data;
use leptos::{either::EitherOf3, prelude::*};
use not_found::NotFound;

/// A page whose data is one read: the page once read, "not found" when there is nothing to
/// show, the error otherwise; `loading` while it is read.
pub fn found<T, E, V>(
    data: Data<Result<Option<T>, E>>,
    loading: String,
    page: fn(T) -> V,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    E: Clone + Send + Sync + crate::i18n::Explained + 'static,
    V: IntoView + Send + 'static,
{
    let content = move || {
        Suspend::new(async move {
            match data.await {
                Ok(Some(found)) => EitherOf3::A(page(found)),
                Ok(None) => EitherOf3::B(view! { <NotFound /> }),
                Err(err) => EitherOf3::C(view! { <ErrorState message=t_err(&err) /> }),
            }
        })
    };
    view! { <Transition fallback=move || view! { <Loading label=loading.clone() /> }>{content}</Transition> }
}
