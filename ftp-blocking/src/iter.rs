//! Streaming listings: [`MlsdIter`] and [`ListIter`] yield entries as the data connection
//! delivers them, holding at most one read's worth of entries.
//!
//! Dropping an iterator before its end aborts the listing (ABOR) on a best-effort basis.

use ftp_proto::client::{ListingItem, ProtocolError};
use ftp_proto::listing::{ListEntry, MlsdEntry};
use ftp_proto::reply::Reply;

use crate::driver::{Driver, Next, TransferOp};
use crate::error::{Error, Result};

/// The state shared by the listing iterators.
#[derive(Debug)]
struct Listing<'a> {
    driver: &'a mut Driver,
    op: TransferOp,
    done: bool,
    reply: Option<Reply>,
}

impl<'a> Listing<'a> {
    fn next_item(&mut self) -> Option<Result<ListingItem>> {
        if self.done {
            return None;
        }
        match self.driver.next_item(self.op) {
            Ok(Next::Item(item)) => Some(Ok(item)),
            Ok(Next::BadItem(e)) => Some(Err(Error::Protocol(ProtocolError::Listing(e)))),
            Ok(Next::Done(done)) => {
                self.done = true;
                self.reply = Some(done.reply);
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl Drop for Listing<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if std::thread::panicking() {
            self.driver.close();
        } else {
            let _ = self.driver.abort_transfer(self.op);
        }
    }
}

/// Defines a public iterator over one kind of [`ListingItem`] of a streaming listing.
macro_rules! listing_iter {
    ($(#[$doc:meta])* $name:ident, $item:ty, $variant:path) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name<'a>(Listing<'a>);

        impl<'a> $name<'a> {
            pub(crate) fn new(driver: &'a mut Driver, op: TransferOp) -> Self {
                $name(Listing {
                    driver,
                    op,
                    done: false,
                    reply: None,
                })
            }

            /// The final reply, once the iterator has ended.
            pub fn reply(&self) -> Option<&Reply> {
                self.0.reply.as_ref()
            }
        }

        impl Iterator for $name<'_> {
            type Item = Result<$item>;

            fn next(&mut self) -> Option<Self::Item> {
                loop {
                    match self.0.next_item()? {
                        Ok($variant(entry)) => return Some(Ok(entry)),
                        Ok(_) => continue,
                        Err(e) => return Some(Err(e)),
                    }
                }
            }
        }
    };
}

listing_iter!(
    /// A lazy MLSD listing ([`Ftp::mlsd`](crate::Ftp::mlsd)): each item is one entry, with fact
    /// names lower-cased and values verbatim.
    ///
    /// ```no_run
    /// # fn main() -> ftp_blocking::Result<()> {
    /// let mut ftp = ftp_blocking::Ftp::connect("127.0.0.1", 21)?;
    /// ftp.login("anonymous", "", "")?;
    /// for entry in ftp.mlsd("", &["type", "size"])? {
    ///     let entry = entry?;
    ///     println!("{} {:?}", entry.name_lossy(), entry.facts().size());
    /// }
    /// # Ok(()) }
    /// ```
    MlsdIter,
    MlsdEntry,
    ListingItem::Mlsd
);

listing_iter!(
    /// A lazy LIST listing parsed into typed entries ([`Ftp::list`](crate::Ftp::list)).
    ///
    /// ```no_run
    /// # fn main() -> ftp_blocking::Result<()> {
    /// let mut ftp = ftp_blocking::Ftp::connect("127.0.0.1", 21)?;
    /// ftp.login("anonymous", "", "")?;
    /// for entry in ftp.list("")? {
    ///     let entry = entry?;
    ///     println!("{:?} {:?}", entry.kind(), entry.size());
    /// }
    /// # Ok(()) }
    /// ```
    ListIter,
    ListEntry,
    ListingItem::List
);
