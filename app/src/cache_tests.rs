//! The cache's reads of a cold key: one at a time, whatever happens to the one reading; none kept
//! that began before a forget.

use super::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Counts a key's reads from the source, each taking 50 ms: how many, and how many began
/// while the first was still under way. The first fails when `first_fails`.
#[derive(Clone, Default)]
struct Source {
    reads: Arc<AtomicUsize>,
    beside_first: Arc<AtomicUsize>,
    first_over: Arc<AtomicBool>,
    first_fails: bool,
}

impl Source {
    async fn read(&self) -> Result<u32, ()> {
        let n = self.reads.fetch_add(1, Ordering::SeqCst);
        if n > 0 && !self.first_over.load(Ordering::SeqCst) {
            self.beside_first.fetch_add(1, Ordering::SeqCst);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        if n == 0 {
            self.first_over.store(true, Ordering::SeqCst);
            if self.first_fails {
                return Err(());
            }
        }
        Ok(7)
    }

    fn ask(&self, cache: &Cache) -> tokio::task::JoinHandle<Result<u32, ()>> {
        let (cache, source) = (cache.clone(), self.clone());
        tokio::spawn(async move {
            let got = cache.get_or_load("show:1", Trust::Shared, || source.read());
            got.await.map(|value| *value)
        })
    }
}

async fn answers(callers: Vec<tokio::task::JoinHandle<Result<u32, ()>>>) -> Vec<Result<u32, ()>> {
    let all = async {
        let mut answers = Vec::new();
        for caller in callers {
            answers.push(caller.await.expect("a caller panicked"));
        }
        answers
    };
    tokio::time::timeout(Duration::from_secs(10), all)
        .await
        .expect("a caller never got its answer")
}

#[tokio::test]
async fn a_cold_key_asked_for_at_once_is_read_once() {
    let (cache, source) = (Cache::new(None, Duration::from_secs(60)), Source::default());
    let callers = (0..50).map(|_| source.ask(&cache)).collect();
    let answers = answers(callers).await;
    assert!(answers.iter().all(|a| *a == Ok(7)), "{answers:?}");
    assert_eq!(source.reads.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn when_the_one_read_fails_the_waiters_read_for_themselves() {
    let cache = Cache::new(None, Duration::from_secs(60));
    let source = Source {
        first_fails: true,
        ..Source::default()
    };
    let callers = (0..10).map(|_| source.ask(&cache)).collect();
    let answers = answers(callers).await;
    assert_eq!(answers.iter().filter(|a| a.is_err()).count(), 1);
    assert_eq!(answers.iter().filter(|a| **a == Ok(7)).count(), 9);
    // They waited for the first read to end before reading.
    assert_eq!(source.beside_first.load(Ordering::SeqCst), 0);
    assert_eq!(source.reads.load(Ordering::SeqCst), 10);
}

#[tokio::test]
async fn when_the_reader_leaves_one_waiter_reads_for_the_others() {
    let (cache, source) = (Cache::new(None, Duration::from_secs(60)), Source::default());
    let leaver = source.ask(&cache);
    tokio::time::sleep(Duration::from_millis(10)).await;
    let callers = (0..5).map(|_| source.ask(&cache)).collect();
    tokio::time::sleep(Duration::from_millis(10)).await;
    leaver.abort();
    let answers = answers(callers).await;
    assert!(answers.iter().all(|a| *a == Ok(7)), "{answers:?}");
    // The read the leaver began, and one more.
    assert_eq!(source.reads.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_read_begun_before_a_forget_is_not_kept() {
    let cache = Cache::new(None, Duration::from_secs(60));
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let slow = {
        let cache = cache.clone();
        tokio::spawn(async move {
            let old = cache.get_or_load("show:1", Trust::Shared, || async {
                released.await.ok();
                Ok::<u32, ()>(1)
            });
            old.await.map(|value| *value)
        })
    };
    tokio::time::sleep(Duration::from_millis(10)).await;
    cache.forget("show:1");
    release.send(()).expect("the slow read waits");
    assert_eq!(answers(vec![slow]).await, [Ok(1)]);
    let new = cache.get_or_load("show:1", Trust::Shared, || async { Ok::<u32, ()>(2) });
    assert_eq!(new.await.map(|value| *value), Ok(2));
}
