use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Company::Table)
                    .col(pk_uuid(Company::Id))
                    .col(string_len_uniq(Company::Slug, 100))
                    .col(string_len(Company::Name, 200))
                    .col(string_len_null(Company::Website, 2048))
                    .col(text_null(Company::Description))
                    .col(string_len_null(Company::Headquarters, 200))
                    .col(timestamp_with_time_zone(Company::CreatedAt))
                    .col(timestamp_with_time_zone(Company::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // `companies` lists by name with the id as tie-breaker.
        manager
            .create_index(
                Index::create()
                    .name("idx_company_name_id")
                    .table(Company::Table)
                    .col(Company::Name)
                    .col(Company::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Company::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Company {
    Table,
    Id,
    Slug,
    Name,
    Website,
    Description,
    Headquarters,
    CreatedAt,
    UpdatedAt,
}
