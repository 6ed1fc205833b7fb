//! Migrations apply, revert and re-apply on both databases; a new embedded database is seeded,
//! and a configured one never is.

use migration::{Migrator, MigratorTrait};
use sea_orm::{Database, EntityTrait, PaginatorTrait, TransactionTrait};

use crate::helpers::{Backend, TestDatabase, on_both_databases, spawn_app, spawn_app_with};

on_both_databases!(
    migrations_revert_and_reapply_cleanly,
    configured_databases_are_never_seeded_implicitly_but_seed_sample_is_idempotent,
);

async fn migrations_revert_and_reapply_cleanly(backend: Backend) {
    let (_database, url) = TestDatabase::create(&backend).await;
    let db = Database::connect(url.as_str()).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    assert!(
        Migrator::get_pending_migrations(&db)
            .await
            .unwrap()
            .is_empty()
    );
    Migrator::down(&db, None).await.unwrap();
    assert_eq!(
        Migrator::get_applied_migrations(&db).await.unwrap().len(),
        0
    );
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(entity::posting::Entity::find().count(&db).await.unwrap(), 0);
    db.close().await.unwrap();
}

async fn configured_databases_are_never_seeded_implicitly_but_seed_sample_is_idempotent(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    assert_eq!(
        entity::company::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        0
    );
    let first = api::seed::seed_sample(&app.db).await.unwrap();
    assert!(first.postings >= 25, "{first:?}");
    let again = api::seed::seed_sample(&app.db).await.unwrap();
    assert_eq!(again, api::seed::SeedSummary::default());
    let data = app
        .request()
        .query("{ postings { totalCount } }")
        .send()
        .await
        .data();
    assert!(data["postings"]["totalCount"].as_u64().unwrap() >= 20);
}

#[tokio::test]
async fn a_brand_new_embedded_database_starts_with_the_sample_catalog() {
    let app = spawn_app_with(Backend::Sqlite, |settings| {
        settings.database.is_embedded_default = true;
    })
    .await;
    let data = app
        .request().query(r#"{ postings(filter: { languages: ["sv"] }) { totalCount } companies { totalCount } }"#).send().await.data();
    assert!(
        data["postings"]["totalCount"].as_u64().unwrap() >= 5,
        "{data}"
    );
    assert!(
        data["companies"]["totalCount"].as_u64().unwrap() >= 3,
        "{data}"
    );
}

/// The plan PostgreSQL makes for `sql` with `values` on a freshly migrated database, with
/// sequential scans switched off so that the planner takes an index whenever it can, whatever
/// the table's size; `None` when the PostgreSQL suite is off.
async fn plan_on_postgres(sql: &str, values: Vec<sea_orm::Value>) -> Option<String> {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};

    let backend = Backend::postgres()?;
    let (_database, url) = TestDatabase::create(&backend).await;
    let db = Database::connect(url.as_str()).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let session = db.begin().await.unwrap();
    session
        .execute_unprepared("SET LOCAL enable_seqscan = off")
        .await
        .unwrap();
    let plan = session
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!("EXPLAIN {sql}"),
            values,
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    session.rollback().await.unwrap();
    db.close().await.unwrap();
    Some(plan)
}

/// A one-country filter, bound as `text` the way the driver binds it, can be answered from
/// the locations' country index on PostgreSQL (a `char(2)` column compared with `text` is
/// cast, and its index can then only be read whole).
#[tokio::test]
async fn a_country_filter_can_use_the_country_index_on_postgres() {
    let Some(plan) = plan_on_postgres(
        "SELECT posting_id FROM posting_location WHERE country = $1",
        vec!["SE".into()],
    )
    .await
    else {
        return;
    };
    // Not merely the index read whole with the condition as a filter.
    assert!(plan.contains("idx_posting_location_country_city"), "{plan}");
    assert!(plan.contains("Index Cond: (country"), "{plan}");
    assert!(!plan.contains("Filter"), "{plan}");
}

/// A page of one department in the default order reads that department's visible postings
/// newest first from one index, on PostgreSQL, instead of every visible posting by date.
#[tokio::test]
async fn a_department_page_reads_only_its_department_on_postgres() {
    let Some(plan) = plan_on_postgres(
        "SELECT id FROM posting WHERE status = $1 AND department = $2 \
         ORDER BY posted_at DESC NULLS FIRST, id DESC LIMIT 50",
        vec!["published".into(), "Engineering".into()],
    )
    .await
    else {
        return;
    };
    assert!(
        plan.contains("Scan Backward using idx_posting_status_department_posted"),
        "{plan}"
    );
    assert!(!plan.contains("Sort"), "{plan}");
}
