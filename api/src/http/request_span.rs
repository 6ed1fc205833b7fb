//! The span each HTTP request runs in.
//!
//! tracing-actix-web's default span reads the connection's address, host and user agent for
//! its fields before it knows whether anything will record them. Here they are read only when
//! a subscriber records `info` spans; at `warn` (as production usually runs) a request gets no
//! span and pays nothing for one. Warnings logged while it runs lose no field they had: they
//! were never inside an enabled request span at that level.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use tracing::{Level, Span};
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder, root_span};

pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        if tracing::level_enabled!(Level::INFO) {
            root_span!(level = Level::INFO, request)
        } else {
            Span::none()
        }
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}
