//! A page of accounts is read without its tags, which a reader that shows them reads for the
//! whole page in one statement more (`persistence::account::list` and `list_with`).

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use tandem_domain::account::{Account, NewAccount, Unread};
use tandem_persistence::Store;
use tandem_persistence::account::{self, AccountFilter, AccountKey, AccountOrder, Listing};
use tandem_persistence::page::Window;
use tandem_tests::db_test;

mod common;
use common::open;

/// Three accounts: two with tags, one without.
async fn accounts(store: &Store) -> Vec<Account> {
    let mut made = Vec::new();
    for (name, tags) in [
        ("Acme", vec!["vip", "beta"]),
        ("Globex", vec![]),
        ("Initech", vec!["b2b"]),
    ] {
        let data = NewAccount {
            name: name.into(),
            tags: tags.into_iter().map(String::from).collect(),
            ..NewAccount::default()
        };
        made.push(
            account::create(store, "tester", data.validate().unwrap())
                .await
                .unwrap(),
        );
    }
    made
}

/// The first page of every account, with their tags when `tags`, and the statements it took.
async fn first_page(store: &Store, tags: bool) -> (Listing, u64) {
    let window = Window::<AccountKey> {
        limit: 10,
        after: None,
        before: None,
        from_end: false,
    };
    let before = store.statements();
    let listing = account::list_with(
        store,
        &AccountFilter::default(),
        AccountOrder::NameAsc,
        &window,
        tags,
    )
    .await
    .unwrap();
    (listing, store.statements() - before)
}

db_test! {
    async fn a_page_shown_without_tags_reads_none(db) {
        let store = open(&db).await;
        accounts(&store).await;
        let (listing, statements) = first_page(&store, false).await;
        assert_eq!(statements, 1, "a page shown without tags reads none");
        let names: Vec<&str> = listing.page.items.iter().map(|a| a.data.name.as_str()).collect();
        assert_eq!(names, ["Acme", "Globex", "Initech"]);
        assert!(listing.page.items.iter().all(|a| a.data.tags == Unread));
        assert!(listing.page.items.iter().all(|a| listing.tags_of(a.id).is_none()), "tags not read are not none");
    }
}

db_test! {
    async fn a_page_shown_with_tags_reads_them_in_one_statement_more(db) {
        let store = open(&db).await;
        let made = accounts(&store).await;
        let (listing, statements) = first_page(&store, true).await;
        assert_eq!(statements, 2, "a page's tags are one statement");
        let tags: Vec<Vec<String>> = made.iter().map(|a| listing.tags_of(a.id).unwrap()).collect();
        assert_eq!(tags, [vec!["beta", "vip"], vec![], vec!["b2b"]]);
        // With its tags, each account of the page is the account as a whole read sees it.
        for untagged in listing.page.items.iter().cloned() {
            let tagged = untagged.clone().tagged(listing.tags_of(untagged.id).unwrap());
            assert_eq!(account::get(&store, untagged.id).await.unwrap().unwrap(), tagged);
        }
    }
}
