//! Serving connections: the router over hyper, as `axum::serve` does, plus a time limit on
//! reading each request's head, which `axum::serve` does not set. Without it a client that
//! sends half a head and goes quiet (slowloris) keeps its socket, and enough of them use up
//! the process's file descriptors; with it each is cut off after `head_timeout`, an idle
//! keep-alive connection too.

use axum::{body::Body, extract::Request, Router};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
    service::TowerToHyperService,
};
use std::{future::Future, net::SocketAddr, time::Duration};
use tokio::net::TcpListener;
use tower::{Service, ServiceExt};

/// Serves `app` on `listener` until `shutdown` completes, then waits for the requests in
/// flight to finish. Handlers see the peer's address as `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    head_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let mut make = app.into_make_service_with_connect_info::<SocketAddr>();
    // HTTP/1.1 only, as `axum::serve` without its http2 feature.
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(head_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors or the like: the next accept may work once
                // connections close; spinning meanwhile would only burn a core.
                Err(err) => {
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(router) = make.call(peer).await;
        let service = TowerToHyperService::new(
            router.map_request(|request: Request<Incoming>| request.map(Body::new)),
        );
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::trace!(%err, "connection ended");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
