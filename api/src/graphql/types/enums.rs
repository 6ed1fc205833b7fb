//! GraphQL enums mirroring the catalog's stored vocabularies.

use entity::enums as stored;

/// Declares a GraphQL enum with the same variants as a stored enum, and the conversions both
/// ways, so the two cannot drift apart without a compile error.
macro_rules! mirrored_enum {
    ($(#[$meta:meta])* $name:ident mirrors $stored:ident { $($(#[$variant_meta:meta])* $variant:ident,)+ }) => {
        $(#[$meta])*
        #[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl From<stored::$stored> for $name {
            fn from(value: stored::$stored) -> Self {
                match value {
                    $(stored::$stored::$variant => $name::$variant,)+
                }
            }
        }

        impl From<$name> for stored::$stored {
            fn from(value: $name) -> Self {
                match value {
                    $($name::$variant => stored::$stored::$variant,)+
                }
            }
        }
    };
}

mirrored_enum! {
    /// Where a posting is in its life. Anonymous readers only ever see `PUBLISHED` postings.
    PostingStatus mirrors PostingStatus {
        /// Being written; visible to its company only.
        Draft,
        /// Open for applications and listed publicly.
        Published,
        /// No longer taking applications.
        Closed,
        /// Kept for the record.
        Archived,
    }
}

mirrored_enum! {
    /// The kind of employment offered (after schema.org's `employmentType`).
    EmploymentType mirrors EmploymentType {
        /// Full-time employment.
        FullTime,
        /// Part-time employment.
        PartTime,
        /// A contract for a fixed engagement, not employment.
        Contractor,
        /// Temporary or fixed-term employment.
        Temporary,
        /// An internship or traineeship.
        Intern,
        /// Unpaid volunteer work.
        Volunteer,
        /// Paid by the day or the shift.
        PerDiem,
        /// Anything else.
        Other,
    }
}

mirrored_enum! {
    /// The period a salary is paid for.
    SalaryUnit mirrors SalaryUnit {
        /// Per hour.
        Hour,
        /// Per day.
        Day,
        /// Per week.
        Week,
        /// Per month.
        Month,
        /// Per year.
        Year,
    }
}

mirrored_enum! {
    /// Where the work is done.
    RemotePolicy mirrors RemotePolicy {
        /// At the posting's locations.
        Onsite,
        /// Partly at the posting's locations, partly remote.
        Hybrid,
        /// Fully remote; locations, if any, say where the employee may live.
        Remote,
    }
}

mirrored_enum! {
    /// What a requirement is about.
    RequirementKind mirrors RequirementKind {
        /// Work experience, often with a number of years.
        Experience,
        /// A degree or other education.
        Education,
        /// A skill, tool or technology.
        Skill,
        /// A spoken or written language.
        Language,
        /// A certification or licence, such as a driving licence.
        Certification,
        /// Anything else asked of candidates.
        Other,
    }
}

mirrored_enum! {
    /// Where an application is in the hiring process.
    ApplicationStatus mirrors ApplicationStatus {
        /// Received, not yet looked at.
        Submitted,
        /// Being reviewed.
        InReview,
        /// The candidate is being interviewed.
        Interviewing,
        /// An offer was made.
        Offered,
        /// The candidate was hired.
        Hired,
        /// The application was turned down.
        Rejected,
        /// The candidate withdrew.
        Withdrawn,
    }
}

/// Which way a list runs.
#[derive(async_graphql::Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OrderDirection {
    /// Smallest (or earliest, or A) first.
    Asc,
    /// Largest (or latest, or Z) first.
    #[default]
    Desc,
}

impl From<OrderDirection> for crate::service::keyset::Direction {
    fn from(direction: OrderDirection) -> Self {
        match direction {
            OrderDirection::Asc => crate::service::keyset::Direction::Ascending,
            OrderDirection::Desc => crate::service::keyset::Direction::Descending,
        }
    }
}
