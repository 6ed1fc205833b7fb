//! Turns Nagle's algorithm off on the process's TCP sockets, database connections among
//! them. sqlx 0.9.0 stopped setting `TCP_NODELAY` on its connections (transact-rs/sqlx#4335,
//! fixed upstream by #4336 but not yet released), so every statement too large for one TCP
//! segment waited for the server's delayed ACK, about 40 ms: a bulk import spent half its
//! time so. sqlx gives no access to its socket; Linux's `pidfd_getfd` lends the process a
//! second descriptor of each of its own sockets, whose options are the socket's. Where the
//! call is refused (kernels before 5.6; container profiles that allow it only with
//! `CAP_SYS_PTRACE`) the sockets keep their default and a warning says so, once.
//! Remove this when sqlx sets the option again.

/// Sets `TCP_NODELAY` on every TCP socket of this process that lacks it; returns how many.
#[cfg(target_os = "linux")]
pub fn on_every_socket() -> usize {
    use rustix::process::{PidfdFlags, PidfdGetfdFlags, getpid, pidfd_getfd, pidfd_open};
    use std::sync::Once;

    static REFUSED: Once = Once::new();
    let refused = |error: rustix::io::Errno| {
        REFUSED.call_once(|| {
            tracing::warn!(
                %error,
                "could not turn Nagle's algorithm off on database connections: statements \
                 larger than one TCP segment may wait about 40 ms (connect to a local \
                 PostgreSQL by its Unix socket, host=/var/run/postgresql, to avoid it)"
            );
        });
    };
    let own = match pidfd_open(getpid(), PidfdFlags::empty()) {
        Ok(own) => own,
        Err(error) => {
            refused(error);
            return 0;
        }
    };
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else {
        return 0;
    };
    let mut set = 0;
    for entry in entries.flatten() {
        let is_socket = std::fs::read_link(entry.path())
            .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"));
        let Some(fd) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse().ok())
        else {
            continue;
        };
        if !is_socket {
            continue;
        }
        let lent = match pidfd_getfd(&own, fd, PidfdGetfdFlags::empty()) {
            Ok(lent) => lent,
            Err(error) => {
                refused(error);
                return set;
            }
        };
        // Unix and UDP sockets have no such option and refuse it; so be it.
        if rustix::net::sockopt::tcp_nodelay(&lent) == Ok(false)
            && rustix::net::sockopt::set_tcp_nodelay(&lent, true).is_ok()
        {
            set += 1;
        }
    }
    set
}

/// Elsewhere sqlx's sockets keep their default.
#[cfg(not(target_os = "linux"))]
pub fn on_every_socket() -> usize {
    0
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};

    #[test]
    fn a_socket_of_the_process_gets_tcp_nodelay() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let stream = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        assert!(!stream.nodelay().unwrap(), "TCP starts with Nagle on");
        assert!(on_every_socket() >= 1);
        assert!(stream.nodelay().unwrap());
    }
}
