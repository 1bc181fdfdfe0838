//! The request id (`x-request-id`) of the work in progress, so that what a request causes later
//! carries it: the outbox rows it writes keep it (`outbox.request_id`), and the worker that
//! delivers them, or runs the job, logs inside a span with the same `request_id` as the
//! request's own log lines. A job's messages inherit the job's id.
//!
//! The HTTP middleware (`app::request_span`) sets it for the request's task; `routes::with_conn`
//! carries it onto the blocking thread where services run; workers set it per row.

use std::cell::RefCell;

tokio::task_local! {
    static TASK: String;
}

thread_local! {
    static THREAD: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs the request future `f` with `id` as its request id.
pub async fn scope<F: std::future::Future>(id: String, f: F) -> F::Output {
    TASK.scope(id, f).await
}

/// The request id of the current async task (the HTTP request being handled), if any.
pub fn of_task() -> Option<String> {
    TASK.try_with(Clone::clone).ok()
}

/// Runs `f` on this thread with `id` as the current request id.
pub fn on_thread<R>(id: Option<String>, f: impl FnOnce() -> R) -> R {
    let before = THREAD.with(|t| t.replace(id));
    let out = f();
    THREAD.with(|t| *t.borrow_mut() = before);
    out
}

/// The request id of the work on this thread (a service called by a request, or a worker
/// processing a row caused by one).
pub fn current() -> Option<String> {
    THREAD.with(|t| t.borrow().clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thread_scope_nests_and_restores() {
        assert_eq!(current(), None);
        on_thread(Some("a".into()), || {
            assert_eq!(current().as_deref(), Some("a"));
            on_thread(None, || assert_eq!(current(), None));
            assert_eq!(current().as_deref(), Some("a"));
        });
        assert_eq!(current(), None);
    }

    #[actix_rt::test]
    async fn the_task_scope_is_seen_inside_only() {
        assert_eq!(of_task(), None);
        let seen = scope("r-1".into(), async { of_task() }).await;
        assert_eq!(seen.as_deref(), Some("r-1"));
    }
}
