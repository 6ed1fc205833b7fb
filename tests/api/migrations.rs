//! Migrations apply, revert and re-apply on both databases; a new embedded database is seeded,
//! and a configured one never is.

use migration::{Migrator, MigratorTrait};
use sea_orm::{Database, EntityTrait, PaginatorTrait};

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
