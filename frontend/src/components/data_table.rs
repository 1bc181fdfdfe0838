//! The admin screens' list table: a search field (every word, case- and accent-insensitive),
//! sortable column headers (a button each, `aria-sort` on the sorted one, click again to
//! reverse), loading and error states, and a horizontally scrollable wrapper for phones. The
//! filtering and sorting rules are `rdv_shared::listing`.

use std::sync::Arc;

use leptos::prelude::*;
use rdv_shared::listing::{aria_sort, filter_sort};

use crate::api::ApiError;

type Text<T> = Arc<dyn Fn(&T) -> String + Send + Sync>;
type Cell<T> = Arc<dyn Fn(&T) -> AnyView + Send + Sync>;

/// One column: its header, how a row shows in it and, when sortable, the row's sort key.
pub struct Column<T> {
    header: &'static str,
    sort: Option<Text<T>>,
    cell: Cell<T>,
}

impl<T> Column<T> {
    pub fn new(header: &'static str, cell: impl Fn(&T) -> AnyView + Send + Sync + 'static) -> Self {
        Column { header, sort: None, cell: Arc::new(cell) }
    }

    /// Sortable by `key` (folded text).
    pub fn sorted_by(mut self, key: impl Fn(&T) -> String + Send + Sync + 'static) -> Self {
        self.sort = Some(Arc::new(key));
        self
    }
}

impl<T> Clone for Column<T> {
    fn clone(&self) -> Self {
        Column { header: self.header, sort: self.sort.clone(), cell: self.cell.clone() }
    }
}

/// The search field above a table: its element id, placeholder, and what it searches in.
pub struct Search<T> {
    pub id: &'static str,
    pub placeholder: &'static str,
    pub text: Text<T>,
}

impl<T> Search<T> {
    pub fn new(
        id: &'static str,
        placeholder: &'static str,
        text: impl Fn(&T) -> String + Send + Sync + 'static,
    ) -> Self {
        Search { id, placeholder, text: Arc::new(text) }
    }
}

/// A list as a table. `rows` is usually a resource read (`None` while loading); the first
/// sortable column sorts the rows until a header is clicked.
#[component]
pub fn DataTable<T>(
    rows: Signal<Option<Result<Vec<T>, ApiError>>>,
    columns: Vec<Column<T>>,
    #[prop(optional)] search: Option<Search<T>>,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
{
    let query = RwSignal::new(String::new());
    let first_sortable = columns.iter().position(|c| c.sort.is_some());
    // (sorted column, descending)
    let order = RwSignal::new((first_sortable, false));
    let haystack: Option<Text<T>> = search.as_ref().map(|s| s.text.clone());
    let search_field = search.map(|s| {
        view! {
            <label for=s.id>"Rechercher"</label>
            <input id=s.id type="search" placeholder=s.placeholder bind:value=query/>
        }
    });
    let columns = Arc::new(columns);
    let table = move || {
        let columns = columns.clone();
        let haystack = haystack.clone();
        rows.get().map(|r| match r {
            Err(e) => view! { <p class="error">{e.message_fr()}</p> }.into_any(),
            Ok(list) => {
                let (sorted, descending) = order.get();
                let key = sorted.and_then(|i| columns.get(i)).and_then(|c| c.sort.clone());
                let list = filter_sort(
                    list,
                    &query.get(),
                    |row| haystack.as_ref().map(|h| h(row)).unwrap_or_default(),
                    |row| key.as_ref().map(|k| k(row)).unwrap_or_default(),
                    descending,
                );
                let headers = columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| header(i, c.header, c.sort.is_some(), order))
                    .collect_view();
                let body = list
                    .into_iter()
                    .map(|row| {
                        let cells = columns.iter().map(|c| view! { <td>{(c.cell)(&row)}</td> }).collect_view();
                        view! { <tr>{cells}</tr> }
                    })
                    .collect_view();
                view! {
                    <div class="table-wrap">
                        <table>
                            <thead>
                                <tr>{headers}</tr>
                            </thead>
                            <tbody>{body}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }
        })
    };
    view! {
        {search_field}
        <Transition fallback=|| view! { <p>"Chargement…"</p> }>{table}</Transition>
    }
}

/// A column header: a plain label, or a button that sorts by the column (again: reversed).
fn header(i: usize, label: &'static str, sortable: bool, order: RwSignal<(Option<usize>, bool)>) -> AnyView {
    if !sortable {
        return view! { <th scope="col">{label}</th> }.into_any();
    }
    let (sorted, descending) = order.get_untracked();
    let here = sorted == Some(i);
    let arrow = match (here, descending) {
        (false, _) => "",
        (true, false) => " ▲",
        (true, true) => " ▼",
    };
    view! {
        <th scope="col" aria-sort=aria_sort(here, descending)>
            <button
                class="link"
                on:click=move |_| order.update(|(s, d)| {
                    *d = *s == Some(i) && !*d;
                    *s = Some(i);
                })
            >
                {label}
                <span aria-hidden="true">{arrow}</span>
            </button>
        </th>
    }
    .into_any()
}
