//! A bounds-checked reader of the protobuf wire format: tags, varints, fixed-width and
//! length-delimited values. It never panics and never reads past the slice it was given.

use super::Refusal;

/// One field value as it appears on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wire<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 1.
    Fixed64(u64),
    /// Wire type 2: strings, bytes, embedded messages and packed repeated numbers.
    Bytes(&'a [u8]),
    /// Wire type 5.
    Fixed32(u32),
}

impl Wire<'_> {
    /// The wire type number (for error messages).
    pub fn wire_type(&self) -> u8 {
        match self {
            Wire::Varint(_) => 0,
            Wire::Fixed64(_) => 1,
            Wire::Bytes(_) => 2,
            Wire::Fixed32(_) => 5,
        }
    }
}

/// Reads the fields of one message in order.
pub struct Reader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Reader<'a> {
    /// A reader over the encoded fields of one message.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, position: 0 }
    }

    /// Whether every byte has been read.
    pub fn is_done(&self) -> bool {
        self.position >= self.bytes.len()
    }

    /// The next field number and value; `None` at the end of the message.
    pub fn field(&mut self) -> Result<Option<(u32, Wire<'a>)>, Refusal> {
        if self.is_done() {
            return Ok(None);
        }
        let tag = self.varint()?;
        let number = tag >> 3;
        if number == 0 || number > (1 << 29) - 1 {
            return Err(Refusal::malformed(format!(
                "proto: illegal field number {number}"
            )));
        }
        let value = match tag & 7 {
            0 => Wire::Varint(self.varint()?),
            1 => Wire::Fixed64(u64::from_le_bytes(self.array::<8>()?)),
            2 => {
                let length = usize::try_from(self.varint()?).map_err(|_| {
                    Refusal::malformed("proto: negative length found during unmarshaling")
                })?;
                Wire::Bytes(self.take(length)?)
            }
            5 => Wire::Fixed32(u32::from_le_bytes(self.array::<4>()?)),
            other => {
                return Err(Refusal::malformed(format!(
                    "proto: illegal wireType {other}"
                )));
            }
        };
        Ok(Some((number as u32, value)))
    }

    /// One base-128 varint of at most ten bytes.
    pub fn varint(&mut self) -> Result<u64, Refusal> {
        let mut value: u64 = 0;
        for index in 0..10 {
            let Some(&byte) = self.bytes.get(self.position) else {
                return Err(unexpected_end());
            };
            self.position += 1;
            if index == 9 && byte > 1 {
                return Err(Refusal::malformed("proto: integer overflow"));
            }
            value |= u64::from(byte & 0x7f) << (7 * index);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Refusal::malformed("proto: integer overflow"))
    }

    fn take(&mut self, length: usize) -> Result<&'a [u8], Refusal> {
        let end = self
            .position
            .checked_add(length)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(unexpected_end)?;
        let slice = &self.bytes[self.position..end];
        self.position = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Refusal> {
        let slice = self.take(N)?;
        let mut array = [0; N];
        array.copy_from_slice(slice);
        Ok(array)
    }
}

fn unexpected_end() -> Refusal {
    Refusal::malformed("unexpected EOF")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_tags_and_lengths_are_read_in_order() {
        let bytes = [0x08, 0x96, 0x01, 0x12, 0x02, b'h', b'i', 0x1d, 1, 0, 0, 0];
        let mut reader = Reader::new(&bytes);
        assert_eq!(reader.field().ok(), Some(Some((1, Wire::Varint(150)))));
        assert_eq!(reader.field().ok(), Some(Some((2, Wire::Bytes(b"hi")))));
        assert_eq!(reader.field().ok(), Some(Some((3, Wire::Fixed32(1)))));
        assert_eq!(reader.field().ok(), Some(None));
    }

    #[test]
    fn truncated_and_overlong_input_is_refused_without_panicking() {
        for bytes in [
            &[0x12, 0x05, b'a'][..],
            &[0x08][..],
            &[
                0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
            ][..],
            &[
                0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
            ][..],
            &[0x0b][..],
            &[0x00][..],
            &[0x09, 1, 2][..],
        ] {
            let mut reader = Reader::new(bytes);
            let mut outcome = reader.field();
            while let Ok(Some(_)) = outcome {
                outcome = reader.field();
            }
            assert!(outcome.is_err(), "{bytes:?} was accepted");
        }
    }
}
