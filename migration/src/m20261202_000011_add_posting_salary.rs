use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Posting {
    Table,
    SalaryMin,
    SalaryMax,
    SalaryCurrency,
    SalaryUnit,
}

/// A posting's salary range: amounts in hundredths of the currency (so 25.50 an hour is
/// exact), an ISO 4217 currency and the period it is paid for. One column per statement:
/// SQLite alters one at a time.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            ColumnDef::new(Posting::SalaryMin)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Posting::SalaryMax)
                .big_integer()
                .null()
                .to_owned(),
            ColumnDef::new(Posting::SalaryCurrency)
                .string_len(3)
                .null()
                .to_owned(),
            ColumnDef::new(Posting::SalaryUnit)
                .string_len(16)
                .null()
                .to_owned(),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Posting::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Posting::SalaryUnit,
            Posting::SalaryCurrency,
            Posting::SalaryMax,
            Posting::SalaryMin,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Posting::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
