//! Client-side narrowing of a short list (the admin screens' tables): a search typed by the
//! agent matches a row when every word of it appears in the row's text, case- and
//! accent-insensitively (`usager::fold`), and rows are sorted by one column's key, stable, in
//! either direction. Pure, so the SPA's table component stays small and this is unit-tested.

use crate::usager::fold;

/// Does `haystack` contain every word of `query` (folded)? An empty query matches everything.
pub fn matches(query: &str, haystack: &str) -> bool {
    let hay = fold(haystack);
    fold(query).split_whitespace().all(|word| hay.contains(word))
}

/// The rows matching `query`, sorted by `key` (ties keep their order), reversed when
/// `descending`.
pub fn filter_sort<T>(
    rows: Vec<T>,
    query: &str,
    haystack: impl Fn(&T) -> String,
    key: impl Fn(&T) -> String,
    descending: bool,
) -> Vec<T> {
    let mut kept: Vec<(String, T)> =
        rows.into_iter().filter(|r| matches(query, &haystack(r))).map(|r| (fold(&key(&r)), r)).collect();
    kept.sort_by(|a, b| {
        let o = a.0.cmp(&b.0);
        if descending {
            o.reverse()
        } else {
            o
        }
    });
    kept.into_iter().map(|(_, r)| r).collect()
}

/// `aria-sort` of a column header: `ascending` / `descending` on the sorted column, `none`
/// on the other sortable ones.
pub fn aria_sort(sorted: bool, descending: bool) -> &'static str {
    match (sorted, descending) {
        (false, _) => "none",
        (true, false) => "ascending",
        (true, true) => "descending",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIEUX: [(&str, &str); 4] = [
        ("MDS Arras — Baudimont", "12 rue de Baudimont, Arras"),
        ("Béthune centre", "3 place Clemenceau, Béthune"),
        ("MDS Lens", "7 rue de Lille, Lens"),
        ("antenne Avion", "1 rue Lamartine, Avion"),
    ];

    fn names(rows: &[(&str, &str)]) -> Vec<String> {
        rows.iter().map(|r| r.0.to_owned()).collect()
    }

    #[test]
    fn search_is_case_and_accent_insensitive_and_needs_every_word() {
        assert!(matches("", "anything"));
        assert!(matches("bethune", "Béthune centre"));
        assert!(matches("BÉTHUNE  Centre", "Béthune centre"));
        assert!(!matches("bethune lens", "Béthune centre"));
        assert!(matches("rue lille", "MDS Lens 7 rue de Lille, Lens"));
    }

    #[test]
    fn rows_are_filtered_then_sorted_folded_both_ways() {
        let hay = |r: &(&str, &str)| format!("{} {}", r.0, r.1);
        let name = |r: &(&str, &str)| r.0.to_owned();
        let all = filter_sort(LIEUX.to_vec(), "", hay, name, false);
        assert_eq!(names(&all), ["antenne Avion", "Béthune centre", "MDS Arras — Baudimont", "MDS Lens"]);
        let desc = filter_sort(LIEUX.to_vec(), "", hay, name, true);
        assert_eq!(names(&desc), ["MDS Lens", "MDS Arras — Baudimont", "Béthune centre", "antenne Avion"]);
        let mds = filter_sort(LIEUX.to_vec(), "mds rue", hay, name, false);
        assert_eq!(names(&mds), ["MDS Arras — Baudimont", "MDS Lens"]);
        assert!(filter_sort(LIEUX.to_vec(), "calais", hay, name, false).is_empty());
    }

    #[test]
    fn ties_keep_their_order() {
        let rows = vec![("b", 1), ("a", 2), ("b", 3), ("a", 4)];
        let sorted = filter_sort(rows, "", |_| String::new(), |r| r.0.to_owned(), false);
        assert_eq!(sorted.iter().map(|r| r.1).collect::<Vec<_>>(), [2, 4, 1, 3]);
    }

    #[test]
    fn headers_say_how_they_sort() {
        assert_eq!(aria_sort(false, true), "none");
        assert_eq!(aria_sort(true, false), "ascending");
        assert_eq!(aria_sort(true, true), "descending");
    }
}
