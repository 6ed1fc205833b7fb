//! `Upload`: a file sent beside the operation in a `multipart/form-data` request, after the
//! GraphQL multipart request spec. The HTTP layer puts each file's bytes in the request and a
//! placeholder naming it where the `map` part says; this scalar reads the placeholder, and
//! [`FileUpload::bytes`] the file. Unlike async-graphql's own `Upload`, a forged or dangling
//! placeholder is an input error, never a panic.

use async_graphql::{Context, InputValueError, InputValueResult, Scalar, ScalarType, Value};

/// The placeholder async-graphql's multipart reader leaves where a file goes.
const PLACEHOLDER: &str = "#__graphql_file__:";

/// A file of the request, by its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileUpload(usize);

/// A file sent with the request as a `multipart/form-data` part (GraphQL multipart request
/// spec); in JSON requests it cannot be given.
#[Scalar(
    name = "Upload",
    specified_by_url = "https://github.com/jaydenseric/graphql-multipart-request-spec"
)]
impl ScalarType for FileUpload {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => text
                .strip_prefix(PLACEHOLDER)
                .and_then(|number| number.parse().ok())
                .map(FileUpload)
                .ok_or_else(|| {
                    InputValueError::custom(
                        "a file is sent as a multipart/form-data part, not as a string",
                    )
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::Null
    }
}

/// A sent file: its name as the client gave it, and its bytes.
pub struct SentFile {
    pub filename: String,
    pub bytes: Vec<u8>,
}

impl FileUpload {
    /// The file this names, if the request carried it.
    pub fn file(&self, ctx: &Context<'_>) -> Option<SentFile> {
        ctx.query_env.uploads.get(self.0).map(|upload| SentFile {
            filename: upload.filename.clone(),
            bytes: upload.content.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_placeholder_names_a_file() {
        let parse = |text: &str| FileUpload::parse(Value::String(text.to_owned())).ok();
        assert_eq!(parse("#__graphql_file__:3"), Some(FileUpload(3)));
        assert_eq!(parse("#__graphql_file__:x"), None);
        assert_eq!(parse("#__graphql_file__:"), None);
        assert_eq!(parse("#__graphql_file__:99999999999999999999999"), None);
        assert_eq!(parse("<html>"), None);
        assert!(FileUpload::parse(Value::Null).is_err());
    }
}
