//! Inserting many rows of one table in as few statements as the databases allow: each
//! statement binds at most [`MAX_PARAMETERS`] values, under SQLite's limit (32,766) and
//! PostgreSQL's (65,535).

use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, Iterable};

/// Most values one statement binds.
const MAX_PARAMETERS: usize = 30_000;

/// How many rows of a table with `columns` columns one statement inserts.
fn rows_per_statement(columns: usize) -> usize {
    (MAX_PARAMETERS / columns.max(1)).max(1)
}

/// Inserts `rows`, in order, with one multi-row INSERT per [`rows_per_statement`] of them.
pub async fn insert_rows<A>(db: &impl ConnectionTrait, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
{
    let columns = <<A::Entity as EntityTrait>::Column as Iterable>::iter().count();
    let per_statement = rows_per_statement(columns);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let statement: Vec<A> = rows.by_ref().take(per_statement).collect();
        A::Entity::insert_many(statement)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_stays_under_both_databases_parameter_limits() {
        for columns in [1, 7, 8, 31, 40_000] {
            let rows = rows_per_statement(columns);
            assert!(rows >= 1);
            assert!(rows * columns <= 32_766 || rows == 1, "{columns} columns");
        }
        assert_eq!(rows_per_statement(8), 3_750);
    }
}
