//! Who is asking: bearer tokens (JWTs) verified at the edge into a [`Principal`], whose scopes
//! and companies the service layer checks inside the same transaction as every write.

pub mod dev_secret;
pub mod principal;
pub mod token;
pub mod verifier;

pub use principal::{Principal, Scope};
pub use verifier::{AuthError, TokenVerifier};
