//! Events as columns in Apache Arrow's memory layout: what the Parquet export and the Python
//! package's `events()` share. One scan fills flat vectors (no per-event allocation); a consumer
//! hands the buffers to Arrow as they are, or writes them out column by column.

use crate::read::EventFilter;
use crate::{Result, Store};
use renown_model::Kind;

/// Which rows of a column hold a value: a bitmap in Arrow's order (bit `i % 8` of byte `i / 8`,
/// 1 = valid).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Validity {
    bits: Vec<u8>,
    len: usize,
    nulls: usize,
}

impl Validity {
    /// Appends one row, present or absent.
    pub fn push(&mut self, valid: bool) {
        if self.len.is_multiple_of(8) {
            self.bits.push(0);
        }
        if valid {
            self.bits[self.len / 8] |= 1 << (self.len % 8);
        } else {
            self.nulls += 1;
        }
        self.len += 1;
    }

    /// Whether row `i` holds a value.
    pub fn is_valid(&self, i: usize) -> bool {
        self.bits[i / 8] & (1 << (i % 8)) != 0
    }

    /// The bitmap, `ceil(len / 8)` bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bits
    }

    /// Rows without a value (Arrow's null count).
    pub fn null_count(&self) -> usize {
        self.nulls
    }
}

/// A column of optional UTF-8 strings in Arrow's `large_string` layout: value `i` is
/// `bytes[offsets[i]..offsets[i + 1]]` where `validity` says it is present.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StringColumn {
    /// `len + 1` offsets into `bytes`, starting at 0.
    pub offsets: Vec<i64>,
    /// Every value's UTF-8 bytes, back to back.
    pub bytes: Vec<u8>,
    /// Which values are present.
    pub validity: Validity,
}

impl Default for StringColumn {
    fn default() -> Self {
        StringColumn {
            offsets: vec![0],
            bytes: Vec::new(),
            validity: Validity::default(),
        }
    }
}

impl StringColumn {
    /// Appends a value, or an absent one.
    pub fn push(&mut self, value: Option<&str>) {
        if let Some(v) = value {
            self.bytes.extend_from_slice(v.as_bytes());
        }
        self.offsets.push(self.bytes.len() as i64);
        self.validity.push(value.is_some());
    }

    /// Rows, present or not.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// No rows at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value `i`, `None` where absent.
    pub fn get(&self, i: usize) -> Option<&str> {
        if !self.validity.is_valid(i) {
            return None;
        }
        let bytes = &self.bytes[self.offsets[i] as usize..self.offsets[i + 1] as usize];
        // Only whole `&str`s are pushed, so every slice between offsets is UTF-8.
        Some(std::str::from_utf8(bytes).expect("pushed as str"))
    }
}

/// Every event passing a filter, one vector per field, in event order. Account columns hold
/// dense account ids (the graphs' node ids); [`AccountColumns`] names them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventColumns {
    /// The store's event id.
    pub id: Vec<i64>,
    /// UTC seconds; 0 where `time_validity` says the event has no time (a static graph's edge).
    pub time: Vec<i64>,
    /// Which events have a time.
    pub time_validity: Validity,
    /// [`Kind::code`] of each event.
    pub kind: Vec<u8>,
    /// Dense id of the account that acted.
    pub actor: Vec<u32>,
    /// 0 where `target_validity` says the event has no target.
    pub target: Vec<u32>,
    /// Which events name a target account.
    pub target_validity: Validity,
    /// The item each event creates, where it creates one.
    pub item: StringColumn,
    /// The item each event answers, reshares or likes.
    pub parent: StringColumn,
    /// Event `i`'s topics are `topic_values[topic_offsets[i]..topic_offsets[i + 1]]` (Arrow's
    /// `large_list<large_string>`; an event without topics has an empty list).
    pub topic_offsets: Vec<i64>,
    /// Every event's topics, back to back.
    pub topic_values: StringColumn,
}

impl EventColumns {
    /// Events held.
    pub fn len(&self) -> usize {
        self.id.len()
    }

    /// No events.
    pub fn is_empty(&self) -> bool {
        self.id.is_empty()
    }

    /// The kind of event `i`.
    pub fn kind_of(&self, i: usize) -> Kind {
        Kind::from_code(self.kind[i]).expect("codes come from Kind::code")
    }
}

/// Every account as columns, indexed by dense id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccountColumns {
    /// The platform each account lives on.
    pub platform: StringColumn,
    /// Its id on that platform.
    pub native_id: StringColumn,
    /// Its handle, where known.
    pub handle: StringColumn,
}

impl AccountColumns {
    /// Accounts held.
    pub fn len(&self) -> usize {
        self.native_id.len()
    }

    /// No accounts.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Store {
    /// The events passing `filter` as columns (see [`EventColumns`]).
    pub fn event_columns(&self, filter: &EventFilter) -> Result<EventColumns> {
        let mut c = EventColumns {
            topic_offsets: vec![0],
            ..Default::default()
        };
        self.scan_events_full(filter, |e| {
            c.id.push(e.id);
            c.time.push(e.row.time.unwrap_or(0));
            c.time_validity.push(e.row.time.is_some());
            c.kind.push(e.row.kind.code());
            c.actor.push(e.row.actor);
            c.target.push(e.row.target.unwrap_or(0));
            c.target_validity.push(e.row.target.is_some());
            c.item.push(e.item.as_deref());
            c.parent.push(e.parent.as_deref());
            for t in &e.topics {
                c.topic_values.push(Some(t));
            }
            c.topic_offsets.push(c.topic_values.len() as i64);
        })?;
        Ok(c)
    }

    /// Every account as columns (see [`AccountColumns`]).
    pub fn account_columns(&self) -> Result<AccountColumns> {
        let mut c = AccountColumns::default();
        for a in self.accounts()? {
            c.platform.push(Some(&a.platform));
            c.native_id.push(Some(&a.native_id));
            c.handle.push(a.handle.as_deref());
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_bits_follow_arrow_order() {
        let mut v = Validity::default();
        for b in [true, false, true, true, false, false, false, false, true] {
            v.push(b);
        }
        assert_eq!(v.bytes(), &[0b0000_1101, 0b0000_0001]);
        assert_eq!(v.null_count(), 5);
        assert!(v.is_valid(8) && !v.is_valid(1));
    }

    #[test]
    fn string_column_keeps_absent_apart_from_empty() {
        let mut s = StringColumn::default();
        s.push(Some("ab"));
        s.push(None);
        s.push(Some(""));
        s.push(Some("é"));
        assert_eq!(s.offsets, vec![0, 2, 2, 2, 4]);
        let got: Vec<_> = (0..s.len()).map(|i| s.get(i)).collect();
        assert_eq!(got, vec![Some("ab"), None, Some(""), Some("é")]);
    }
}
