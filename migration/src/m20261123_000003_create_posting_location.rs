use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000002_create_posting::Posting;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PostingLocation::Table)
                    .col(pk_uuid(PostingLocation::Id))
                    .col(uuid(PostingLocation::PostingId))
                    .col(integer(PostingLocation::Position))
                    .col(string_len_null(PostingLocation::City, 200))
                    .col(string_len_null(PostingLocation::CityKey, 200))
                    .col(string_len_null(PostingLocation::Region, 200))
                    .col(char_len(PostingLocation::Country, 2))
                    // Locations are part of their posting and go with it.
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_posting_location_posting")
                            .from(PostingLocation::Table, PostingLocation::PostingId)
                            .to(Posting::Table, Posting::Id)
                            .on_delete(ForeignKeyAction::Cascade)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_posting_location_position")
                    .table(PostingLocation::Table)
                    .col(PostingLocation::PostingId)
                    .col(PostingLocation::Position)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The location filter: by country, optionally narrowed to a city.
        manager
            .create_index(
                Index::create()
                    .name("idx_posting_location_country_city")
                    .table(PostingLocation::Table)
                    .col(PostingLocation::Country)
                    .col(PostingLocation::CityKey)
                    .col(PostingLocation::PostingId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_posting_location_city")
                    .table(PostingLocation::Table)
                    .col(PostingLocation::CityKey)
                    .col(PostingLocation::PostingId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PostingLocation::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum PostingLocation {
    Table,
    Id,
    PostingId,
    Position,
    City,
    CityKey,
    Region,
    Country,
}
