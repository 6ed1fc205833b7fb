//! Who the client is: the peer address, or, only when the peer is a configured trusted proxy,
//! the address that proxy saw (`X-Forwarded-For`, read right to left, skipping the trusted
//! proxies: the left part is whatever the client wrote and is never believed).

use std::net::{IpAddr, Ipv6Addr};

use actix_web::HttpRequest;

use crate::config::ProxyNet;

/// The client's address: the peer, or with a trusted peer the nearest untrusted address of
/// `X-Forwarded-For`. Anything unparseable there leaves the peer as the client.
pub fn client_ip(request: &HttpRequest, trusted: &[ProxyNet]) -> IpAddr {
    let peer = request
        .peer_addr()
        .map(|address| canonical(address.ip()))
        .unwrap_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED));
    if trusted.is_empty() || !is_trusted(peer, trusted) {
        return peer;
    }
    let mut client = peer;
    for header in request.headers().get_all("x-forwarded-for").rev() {
        let Ok(text) = header.to_str() else {
            return peer;
        };
        for hop in text.rsplit(',') {
            let Ok(address) = hop.trim().parse::<IpAddr>() else {
                return peer;
            };
            client = canonical(address);
            if !is_trusted(client, trusted) {
                return client;
            }
        }
    }
    client
}

fn is_trusted(address: IpAddr, trusted: &[ProxyNet]) -> bool {
    trusted.iter().any(|net| net.contains(address))
}

fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// The address a budget is kept for: an IPv4 address itself, an IPv6 address by its /64 (one
/// subscriber's usual allocation, so a client cannot walk its own prefix).
pub fn budget_address(address: IpAddr) -> IpAddr {
    match canonical(address) {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(bits))
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let trusted: Vec<ProxyNet> = vec!["10.0.0.0/8".parse().expect("a network")];
        let through_proxy = TestRequest::default()
            .peer_addr("10.0.0.5:4000".parse().expect("a socket address"))
            .insert_header(("X-Forwarded-For", "1.1.1.1, 203.0.113.9, 10.0.0.7"))
            .to_http_request();
        assert_eq!(client_ip(&through_proxy, &trusted), ip("203.0.113.9"));
        assert_eq!(client_ip(&through_proxy, &[]), ip("10.0.0.5"));
        let direct = TestRequest::default()
            .peer_addr("198.51.100.1:4000".parse().expect("a socket address"))
            .insert_header(("X-Forwarded-For", "203.0.113.9"))
            .to_http_request();
        assert_eq!(client_ip(&direct, &trusted), ip("198.51.100.1"));
        let garbage = TestRequest::default()
            .peer_addr("10.0.0.5:4000".parse().expect("a socket address"))
            .insert_header(("X-Forwarded-For", "not-an-address"))
            .to_http_request();
        assert_eq!(client_ip(&garbage, &trusted), ip("10.0.0.5"));
    }

    #[test]
    fn ipv6_clients_share_a_budget_per_64() {
        assert_eq!(
            budget_address(ip("2001:db8:1:2:aaaa::1")),
            budget_address(ip("2001:db8:1:2:bbbb::2"))
        );
        assert_eq!(budget_address(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
    }
}
