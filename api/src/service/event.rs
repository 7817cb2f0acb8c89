//! Reading and following the account-change event stream.

use std::collections::VecDeque;
use std::sync::Arc;

use futures_util::Stream;
use tandem_domain::auth::{Action, Principal};
use tandem_domain::event::{Event, EventKind};
use tandem_domain::ids::AccountId;
use tandem_persistence::event::{self, EventQuery};
use tokio::sync::broadcast::{self, error::RecvError};

use super::Services;
use crate::error::ApiResult;

/// Events after a cursor, oldest first.
#[tracing::instrument(level = "debug", name = "service::event::list", skip_all)]
pub async fn list(s: &Services, who: &Principal, query: &EventQuery) -> ApiResult<Vec<Event>> {
    who.authorize(Action::Read)?;
    Ok(event::list(&s.store, query).await?)
}

/// How many stored events one catch-up read takes.
const CATCH_UP_BATCH: u64 = 200;

struct Follow {
    store: tandem_persistence::Store,
    receiver: broadcast::Receiver<Arc<Event>>,
    /// Everything up to here has been delivered or was of no interest.
    cursor: i64,
    catching_up: bool,
    buffer: VecDeque<Arc<Event>>,
    account_id: Option<AccountId>,
    kinds: Vec<EventKind>,
    failed: bool,
}

impl Follow {
    fn wants(&self, e: &Event) -> bool {
        self.account_id
            .is_none_or(|a| e.event.account_id == Some(a))
            && (self.kinds.is_empty() || self.kinds.contains(&e.event.kind))
    }
}

/// Follows the event stream: first every stored event after `after` (when given), then new
/// events as they are committed, with no gap and no duplicate.
///
/// It subscribes to the relay before it reads storage, so an event committed during the
/// catch-up is either read from storage or received live; the cursor drops the one that arrives
/// both ways. A subscriber that falls too far behind the live channel goes back to storage.
pub fn follow(
    s: &Services,
    who: &Principal,
    account_id: Option<AccountId>,
    kinds: Vec<EventKind>,
    after: Option<i64>,
) -> ApiResult<impl Stream<Item = ApiResult<Arc<Event>>> + Send + use<>> {
    who.authorize(Action::Read)?;
    let (receiver, relayed) = s.relay.subscribe();
    let state = Follow {
        store: s.store.clone(),
        receiver,
        cursor: after.unwrap_or(relayed),
        catching_up: after.is_some(),
        buffer: VecDeque::new(),
        account_id,
        kinds,
        failed: false,
    };
    Ok(futures_util::stream::unfold(state, |mut st| async move {
        loop {
            if st.failed {
                return None;
            }
            if let Some(e) = st.buffer.pop_front() {
                return Some((Ok(e), st));
            }
            if st.catching_up {
                let query = EventQuery {
                    after: st.cursor,
                    account_id: st.account_id,
                    kinds: st.kinds.clone(),
                    limit: CATCH_UP_BATCH,
                };
                match event::list(&st.store, &query).await {
                    Ok(batch) => {
                        st.catching_up = batch.len() as u64 == CATCH_UP_BATCH;
                        for e in batch {
                            st.cursor = e.cursor;
                            st.buffer.push_back(Arc::new(e));
                        }
                    }
                    Err(e) => {
                        st.failed = true;
                        return Some((Err(e.into()), st));
                    }
                }
                continue;
            }
            match st.receiver.recv().await {
                Ok(e) if e.cursor > st.cursor => {
                    st.cursor = e.cursor;
                    if st.wants(&e) {
                        return Some((Ok(e), st));
                    }
                }
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => st.catching_up = true,
                Err(RecvError::Closed) => return None,
            }
        }
    }))
}
