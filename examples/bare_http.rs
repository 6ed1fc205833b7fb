//! The HTTP limit for the benchmark: a bare actix-web handler answering every request with a
//! fixed body (the size of a real response), so bench/ can tell the server's cost from the
//! HTTP stack's. `cargo run --release --example bare_http -- 127.0.0.1:8091 body.json`

use actix_web::{App, HttpResponse, HttpServer, web};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let bind = args.next().unwrap_or_else(|| "127.0.0.1:8091".to_owned());
    let body = match args.next() {
        Some(path) => std::fs::read(path)?,
        None => b"{}".to_vec(),
    };
    let body = web::Bytes::from(body);
    HttpServer::new(move || {
        let body = body.clone();
        App::new().default_service(web::to(move || {
            let body = body.clone();
            async move {
                HttpResponse::Ok()
                    .content_type("application/json")
                    .body(body)
            }
        }))
    })
    .bind(bind)?
    .run()
    .await
}
