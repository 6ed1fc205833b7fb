use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_company::Company;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Posting::Table)
                    .col(pk_uuid(Posting::Id))
                    .col(uuid(Posting::CompanyId))
                    .col(string_len(Posting::Slug, 100))
                    .col(string_len(Posting::Title, 200))
                    .col(text_null(Posting::Summary))
                    .col(json_binary(Posting::Description))
                    .col(string_len_null(Posting::Department, 200))
                    .col(string_len_null(Posting::Occupation, 200))
                    .col(string_len(Posting::EmploymentType, 16))
                    .col(string_len(Posting::RemotePolicy, 16))
                    .col(string_len_null(Posting::Travel, 200))
                    .col(string_len(Posting::Language, 35))
                    .col(string_len(Posting::Status, 16))
                    .col(timestamp_with_time_zone_null(Posting::PostedAt))
                    .col(timestamp_with_time_zone_null(Posting::ValidThrough))
                    .col(string_len_null(Posting::ApplyUrl, 2048))
                    .col(string_len_null(Posting::SourceUrl, 2048))
                    .col(string_len_null(Posting::ContentHash, 128))
                    .col(integer(Posting::Version).default(1))
                    .col(timestamp_with_time_zone(Posting::CreatedAt))
                    .col(timestamp_with_time_zone(Posting::UpdatedAt))
                    // A company with postings is not deleted by accident: its postings (and the
                    // candidates' applications under them) must be dealt with first.
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_posting_company")
                            .from(Posting::Table, Posting::CompanyId)
                            .to(Company::Table, Company::Id)
                            .on_delete(ForeignKeyAction::Restrict)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        let indexes: [(&str, Vec<Posting>, bool); 9] = [
            // `posting(companySlug, slug)`; also serves filtering by company.
            (
                "uq_posting_company_slug",
                vec![Posting::CompanyId, Posting::Slug],
                true,
            ),
            // The three orders, each within the visible status, with the id as tie-breaker.
            (
                "idx_posting_status_posted",
                vec![Posting::Status, Posting::PostedAt, Posting::Id],
                false,
            ),
            (
                "idx_posting_status_title",
                vec![Posting::Status, Posting::Title, Posting::Id],
                false,
            ),
            (
                "idx_posting_status_updated",
                vec![Posting::Status, Posting::UpdatedAt, Posting::Id],
                false,
            ),
            // `Company.postings` in the default order.
            (
                "idx_posting_company_status_posted",
                vec![
                    Posting::CompanyId,
                    Posting::Status,
                    Posting::PostedAt,
                    Posting::Id,
                ],
                false,
            ),
            // The remaining filters.
            ("idx_posting_department", vec![Posting::Department], false),
            ("idx_posting_occupation", vec![Posting::Occupation], false),
            (
                "idx_posting_employment_remote",
                vec![Posting::EmploymentType, Posting::RemotePolicy],
                false,
            ),
            ("idx_posting_language", vec![Posting::Language], false),
        ];
        for (name, columns, unique) in indexes {
            let mut index = Index::create();
            index.name(name).table(Posting::Table);
            for column in columns {
                index.col(column);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Posting::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Posting {
    Table,
    Id,
    CompanyId,
    Slug,
    Title,
    Summary,
    Description,
    Department,
    Occupation,
    EmploymentType,
    RemotePolicy,
    Travel,
    Language,
    Status,
    PostedAt,
    ValidThrough,
    ApplyUrl,
    SourceUrl,
    ContentHash,
    Version,
    CreatedAt,
    UpdatedAt,
}
