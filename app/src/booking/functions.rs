//! Server functions behind the seat map, booking summary and my-bookings pages.
