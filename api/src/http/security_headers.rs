//! Headers every response carries, whatever answered it: no content sniffing (a JSON answer
//! is never run as a script or rendered as a page) and no `Referer` leaking a page's URL,
//! cursors included, to the sites it links to.

use actix_web::middleware::DefaultHeaders;

pub fn every_response() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
}
