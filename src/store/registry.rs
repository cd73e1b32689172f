//! Cases, parties and assets.

use super::{on_pool, on_tx, Db, Tx};
use crate::registry::{NewApplicant, NewAsset, NewDebtor};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CaseRow {
    pub id: i64,
    pub court_id: i64,
    pub case_number: String,
    pub sequence: i64,
    pub collection_account: String,
    pub filing_date: NaiveDate,
    pub claim_amount_fen: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct PartyRow {
    pub id: i64,
    pub case_id: i64,
    pub role: String,
    pub name: String,
    pub identity_number: Option<String>,
    pub payout_bank: Option<String>,
    pub payout_account_name: Option<String>,
    pub payout_account_number: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub payout_confirmed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AssetRow {
    pub id: i64,
    pub case_id: i64,
    pub court_id: i64,
    pub kind: String,
    pub description: String,
    pub seizure_date: NaiveDate,
    pub to_be_sold: bool,
    pub has_official_price: bool,
    pub needs_onsite_inspection: bool,
    pub appraisal_required_by_law: bool,
    pub high_value_or_complex: bool,
    pub created_at: DateTime<Utc>,
}

const CASE_COLUMNS: &str = "id, court_id, case_number, sequence, collection_account, filing_date, claim_amount_fen, created_at";
const ASSET_COLUMNS: &str = "id, case_id, court_id, kind, description, seizure_date, to_be_sold, has_official_price, needs_onsite_inspection, appraisal_required_by_law, high_value_or_complex, created_at";
const PARTY_COLUMNS: &str =
    "id, case_id, role, name, identity_number, payout_bank, payout_account_name, payout_account_number, payout_confirmed_on";

/// Takes the court's next case sequence number.
pub async fn take_case_sequence(tx: &mut Tx, court_id: i64) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(
            "update courts set next_case_sequence = next_case_sequence + 1 where id = $1 returning next_case_sequence - 1",
        )
        .bind(court_id)
        .fetch_one(conn)
        .await
    })
}

pub struct CaseInsert<'a> {
    pub court_id: i64,
    pub case_number: &'a str,
    pub sequence: i64,
    pub collection_account: &'a str,
    pub filing_date: NaiveDate,
    pub claim_amount_fen: i64,
    pub created_at: DateTime<Utc>,
}

pub async fn insert_case(tx: &mut Tx, case: &CaseInsert<'_>) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(
            "insert into cases (court_id, case_number, sequence, collection_account, filing_date, claim_amount_fen, created_at)
             values ($1, $2, $3, $4, $5, $6, $7) returning id",
        )
        .bind(case.court_id)
        .bind(case.case_number.trim())
        .bind(case.sequence)
        .bind(case.collection_account)
        .bind(case.filing_date)
        .bind(case.claim_amount_fen)
        .bind(case.created_at)
        .fetch_one(conn)
        .await
    })
}

pub async fn insert_applicant(tx: &mut Tx, case_id: i64, applicant: &NewApplicant) -> Result<i64, sqlx::Error> {
    let account = applicant.payout_account.as_ref();
    on_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(
            "insert into parties (case_id, role, name, identity_number, payout_bank, payout_account_name, payout_account_number, payout_confirmed_on)
             values ($1, 'applicant', $2, $3, $4, $5, $6, $7) returning id",
        )
        .bind(case_id)
        .bind(applicant.name.trim())
        .bind(&applicant.identity_number)
        .bind(account.map(|a| a.bank.trim()))
        .bind(account.map(|a| a.account_name.trim()))
        .bind(account.map(|a| a.account_number.as_str()))
        .bind(account.map(|a| a.confirmed_on))
        .fetch_one(conn)
        .await
    })
}

pub async fn insert_debtor(tx: &mut Tx, case_id: i64, debtor: &NewDebtor) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(
            "insert into parties (case_id, role, name, identity_number) values ($1, 'debtor', $2, $3) returning id",
        )
        .bind(case_id)
        .bind(debtor.name.trim())
        .bind(&debtor.identity_number)
        .fetch_one(conn)
        .await
    })
}

pub async fn insert_asset(tx: &mut Tx, case_id: i64, court_id: i64, asset: &NewAsset, now: DateTime<Utc>) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(
            "insert into assets (case_id, court_id, kind, description, seizure_date, to_be_sold, has_official_price, needs_onsite_inspection, appraisal_required_by_law, high_value_or_complex, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id",
        )
        .bind(case_id)
        .bind(court_id)
        .bind(asset.kind.as_str())
        .bind(asset.description.trim())
        .bind(asset.seizure_date)
        .bind(asset.to_be_sold())
        .bind(asset.has_official_price)
        .bind(asset.needs_onsite_inspection)
        .bind(asset.appraisal_required_by_law)
        .bind(asset.high_value_or_complex)
        .bind(now)
        .fetch_one(conn)
        .await
    })
}

pub async fn case_in_court(db: &Db, court_id: i64, case_id: i64) -> Result<Option<CaseRow>, sqlx::Error> {
    let sql = format!("select {CASE_COLUMNS} from cases where id = $1 and court_id = $2");
    on_pool!(db, pool => sqlx::query_as::<_, CaseRow>(&sql).bind(case_id).bind(court_id).fetch_optional(pool).await)
}

pub async fn case_in_court_tx(tx: &mut Tx, court_id: i64, case_id: i64) -> Result<Option<CaseRow>, sqlx::Error> {
    let sql = format!("select {CASE_COLUMNS} from cases where id = $1 and court_id = $2");
    on_tx!(tx, conn => sqlx::query_as::<_, CaseRow>(&sql).bind(case_id).bind(court_id).fetch_optional(conn).await)
}

pub async fn cases_in_court(db: &Db, court_id: i64, after_id: i64, limit: i64) -> Result<Vec<CaseRow>, sqlx::Error> {
    let sql = format!("select {CASE_COLUMNS} from cases where court_id = $1 and id > $2 order by id limit $3");
    on_pool!(db, pool => sqlx::query_as::<_, CaseRow>(&sql).bind(court_id).bind(after_id).bind(limit).fetch_all(pool).await)
}

pub async fn parties_of_case(db: &Db, case_id: i64) -> Result<Vec<PartyRow>, sqlx::Error> {
    let sql = format!("select {PARTY_COLUMNS} from parties where case_id = $1 order by id");
    on_pool!(db, pool => sqlx::query_as::<_, PartyRow>(&sql).bind(case_id).fetch_all(pool).await)
}

pub async fn asset_in_court(db: &Db, court_id: i64, asset_id: i64) -> Result<Option<AssetRow>, sqlx::Error> {
    let sql = format!("select {ASSET_COLUMNS} from assets where id = $1 and court_id = $2");
    on_pool!(db, pool => sqlx::query_as::<_, AssetRow>(&sql).bind(asset_id).bind(court_id).fetch_optional(pool).await)
}

pub async fn assets_of_case(db: &Db, case_id: i64) -> Result<Vec<AssetRow>, sqlx::Error> {
    let sql = format!("select {ASSET_COLUMNS} from assets where case_id = $1 order by id");
    on_pool!(db, pool => sqlx::query_as::<_, AssetRow>(&sql).bind(case_id).fetch_all(pool).await)
}

pub async fn asset_in_court_tx(tx: &mut Tx, court_id: i64, asset_id: i64) -> Result<Option<AssetRow>, sqlx::Error> {
    let sql = format!("select {ASSET_COLUMNS} from assets where id = $1 and court_id = $2");
    on_tx!(tx, conn => sqlx::query_as::<_, AssetRow>(&sql).bind(asset_id).bind(court_id).fetch_optional(conn).await)
}

pub async fn parties_of_case_tx(tx: &mut Tx, case_id: i64) -> Result<Vec<PartyRow>, sqlx::Error> {
    let sql = format!("select {PARTY_COLUMNS} from parties where case_id = $1 order by id");
    on_tx!(tx, conn => sqlx::query_as::<_, PartyRow>(&sql).bind(case_id).fetch_all(conn).await)
}
