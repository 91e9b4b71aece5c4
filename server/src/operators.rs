//! Who may read what only operators should: the metrics and the detail of the readiness
//! checks go to clients on the networks in OPERATOR_NETWORKS (loopback by default), judged by
//! the connection's own peer address, never by a header a client could write.

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{request::Parts, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use ipnet::IpNet;
use std::{net::SocketAddr, sync::Arc};

#[derive(Clone, Debug)]
pub struct OperatorNetworks(Arc<Vec<IpNet>>);

impl OperatorNetworks {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(Arc::new(networks))
    }

    /// Whether the request's peer is on an operator network; no peer known is no operator.
    pub fn admit(&self, parts: &Parts) -> bool {
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .is_some_and(|peer| {
                let ip = peer.0.ip().to_canonical();
                self.0.iter().any(|net| net.contains(&ip))
            })
    }
}

/// Loopback, IPv4 and IPv6.
pub fn loopback() -> Vec<IpNet> {
    vec![
        "127.0.0.0/8".parse().expect("a network"),
        "::1/128".parse().expect("a network"),
    ]
}

/// A route only operators see; to anyone else it does not exist.
pub async fn only_operators(
    State(operators): State<OperatorNetworks>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    if !operators.admit(&parts) {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}
