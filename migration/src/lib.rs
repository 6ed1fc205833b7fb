//! Schema migrations of the jobgraph catalog; each behaves the same on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_company;
mod m20261123_000002_create_posting;
mod m20261123_000003_create_posting_location;
mod m20261123_000004_create_requirement;
mod m20261123_000005_create_application;
mod m20261123_000006_create_audit_event;
mod m20261202_000007_create_data_generation;
mod m20261202_000008_create_posting_search;
mod m20261202_000009_add_posting_search_folded_title;
mod m20261202_000010_add_posting_import_columns;
mod m20261202_000011_add_posting_salary;
mod m20261204_000012_location_country_varchar;
mod m20261204_000013_create_posting_suggestion;
mod m20261204_000014_add_posting_department_order_index;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_company::Migration),
            Box::new(m20261123_000002_create_posting::Migration),
            Box::new(m20261123_000003_create_posting_location::Migration),
            Box::new(m20261123_000004_create_requirement::Migration),
            Box::new(m20261123_000005_create_application::Migration),
            Box::new(m20261123_000006_create_audit_event::Migration),
            Box::new(m20261202_000007_create_data_generation::Migration),
            Box::new(m20261202_000008_create_posting_search::Migration),
            Box::new(m20261202_000009_add_posting_search_folded_title::Migration),
            Box::new(m20261202_000010_add_posting_import_columns::Migration),
            Box::new(m20261202_000011_add_posting_salary::Migration),
            Box::new(m20261204_000012_location_country_varchar::Migration),
            Box::new(m20261204_000013_create_posting_suggestion::Migration),
            Box::new(m20261204_000014_add_posting_department_order_index::Migration),
        ]
    }
}
