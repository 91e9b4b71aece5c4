//! Who a request comes from, as rate limits count it: the peer address, or behind declared
//! proxies the address the outermost of them saw. A client can add any `X-Forwarded-For`
//! entries it likes, but only to the left of what our proxies append, so counting from the
//! right past exactly our proxies lands on the address that really connected.

use axum::{extract::ConnectInfo, http::request::Parts};
use std::net::{IpAddr, SocketAddr};

/// The client's address (an IPv6 client by its /64, the block one subscriber gets), for
/// rate-limit keys; `unknown` when neither the connection nor the proxies say.
pub fn client_address(parts: &Parts, trusted_proxy_hops: usize) -> String {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    let address = match trusted_proxy_hops {
        0 => peer,
        hops => forwarded(parts, hops).or(peer),
    };
    address.map_or_else(|| "unknown".to_owned(), subscriber)
}

/// The `hops`-th `X-Forwarded-For` entry from the right, over every header line.
fn forwarded(parts: &Parts, hops: usize) -> Option<IpAddr> {
    let entries: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|line| line.to_str().ok())
        .flat_map(|line| line.split(','))
        .map(str::trim)
        .collect();
    let entry = entries.len().checked_sub(hops).map(|i| entries[i])?;
    entry.parse().ok()
}

/// IPv4 as it is; IPv6 cut to its /64 (an IPv4-mapped one back to IPv4).
fn subscriber(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(peer: &str, forwarded: &[&str]) -> Parts {
        let mut request = Request::builder();
        for line in forwarded {
            request = request.header("x-forwarded-for", *line);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        let peer: SocketAddr = peer.parse().unwrap();
        parts.extensions.insert(ConnectInfo(peer));
        parts
    }

    #[test]
    fn only_the_entries_our_proxies_added_count() {
        let spoofed = parts("10.0.0.2:5000", &["6.6.6.6, 203.0.113.9"]);
        assert_eq!(client_address(&spoofed, 0), "10.0.0.2", "no proxy trusted");
        assert_eq!(client_address(&spoofed, 1), "203.0.113.9");
        assert_eq!(client_address(&spoofed, 2), "6.6.6.6");
        let two_lines = parts("10.0.0.2:5000", &["6.6.6.6", "198.51.100.1, 10.0.0.1"]);
        assert_eq!(client_address(&two_lines, 2), "198.51.100.1");
        let short = parts("10.0.0.2:5000", &["203.0.113.9"]);
        assert_eq!(
            client_address(&short, 2),
            "10.0.0.2",
            "fewer hops than declared"
        );
        let garbage = parts("10.0.0.2:5000", &["not-an-address"]);
        assert_eq!(client_address(&garbage, 1), "10.0.0.2");
    }

    #[test]
    fn an_ipv6_client_is_its_64() {
        let a = parts("[2001:db8:1:2:aaaa::1]:443", &[]);
        let b = parts("[2001:db8:1:2:ffff:1:2:3]:443", &[]);
        assert_eq!(client_address(&a, 0), "2001:db8:1:2::/64");
        assert_eq!(client_address(&a, 0), client_address(&b, 0));
        let mapped = parts("[::ffff:192.0.2.7]:443", &[]);
        assert_eq!(client_address(&mapped, 0), "192.0.2.7");
    }
}
