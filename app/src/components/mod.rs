//! The small set of building blocks every page is made of.

pub mod city_picker;
pub mod countdown;
pub mod form;
pub mod layout;
pub mod movie_card;
pub mod price;
pub mod status;
