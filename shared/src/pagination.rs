//! Page arithmetic for list endpoints: fixed pages of 100, as RDV-Solidarités' API v1.

use serde::{Deserialize, Serialize};

/// Items per page on every list endpoint (reference-api-v1.md §0).
pub const PER_PAGE: i64 = 100;

/// The `meta` object of every list response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Meta {
    pub current_page: i64,
    pub next_page: Option<i64>,
    pub prev_page: Option<i64>,
    /// `ceil(total_count / 100)`, 0 for an empty list.
    pub total_pages: i64,
    pub total_count: i64,
}

impl Meta {
    /// Meta for `page` (already normalised to ≥ 1) of a list holding `total_count` items.
    pub fn new(page: i64, total_count: i64) -> Self {
        let total_pages = (total_count + PER_PAGE - 1) / PER_PAGE;
        let in_range = page <= total_pages;
        Meta {
            current_page: page,
            // Lazily: `page + 1` overflows for `page=9223372036854775807` (a panic in debug builds).
            next_page: (in_range && page < total_pages).then(|| page + 1),
            prev_page: (in_range && page > 1).then(|| page - 1),
            total_pages,
            total_count,
        }
    }
}

/// Normalises a raw `page` parameter: absent, non-positive → 1 (the reference's behaviour).
pub fn normalise_page(page: Option<i64>) -> i64 {
    page.filter(|p| *p >= 1).unwrap_or(1)
}

/// SQL offset of a normalised page.
pub fn offset(page: i64) -> i64 {
    (page - 1).saturating_mul(PER_PAGE)
}

/// One page of a list filtered in memory (by access rules the SQL cannot express), and the
/// list's length as its total.
pub fn page_in_memory<T>(items: Vec<T>, page: i64) -> (Vec<T>, i64) {
    let total = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let start = usize::try_from(offset(page)).unwrap_or(usize::MAX);
    let per_page = usize::try_from(PER_PAGE).unwrap_or(100);
    (items.into_iter().skip(start).take(per_page).collect(), total)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_largest_page_number_does_not_overflow() {
        let m = super::Meta::new(i64::MAX, 250);
        assert_eq!((m.next_page, m.prev_page, m.total_pages), (None, None, 3));
        assert_eq!(super::offset(i64::MAX), i64::MAX);
    }

    use super::*;

    #[test]
    fn in_memory_pages() {
        let items: Vec<i32> = (0..250).collect();
        assert_eq!(page_in_memory(items.clone(), 1).0.len(), 100);
        let (third, total) = page_in_memory(items.clone(), 3);
        assert_eq!((third.first().copied(), third.len(), total), (Some(200), 50, 250));
        assert_eq!(page_in_memory(items, 4), (vec![], 250));
    }

    #[test]
    fn meta_table() {
        // (page, total) → (next, prev, total_pages)
        let cases = [
            (1, 0, None, None, 0),
            (1, 1, None, None, 1),
            (1, 100, None, None, 1),
            (1, 101, Some(2), None, 2),
            (2, 101, None, Some(1), 2),
            (2, 250, Some(3), Some(1), 3),
            (5, 250, None, None, 3),
        ];
        for (page, total, next, prev, pages) in cases {
            let m = Meta::new(page, total);
            assert_eq!((m.next_page, m.prev_page, m.total_pages), (next, prev, pages), "{page}/{total}");
            assert_eq!(m.current_page, page);
        }
    }

    #[test]
    fn page_normalisation() {
        assert_eq!(normalise_page(None), 1);
        assert_eq!(normalise_page(Some(0)), 1);
        assert_eq!(normalise_page(Some(-3)), 1);
        assert_eq!(normalise_page(Some(4)), 4);
        assert_eq!(offset(1), 0);
        assert_eq!(offset(3), 200);
    }
}
