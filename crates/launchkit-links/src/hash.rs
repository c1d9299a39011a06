//! A fast hash for the link checker's maps of paths and anchors.
//!
//! `cargo xtask links` runs in the dev profile, where std's SipHash and its helpers are
//! barely optimized: hashing paths and anchors was a sixth of an unoptimized offline
//! check. The keys come from the files being checked, so a hash that resists chosen keys
//! buys nothing; this is rustc's FxHash, word by word.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`FastHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;
/// A `HashSet` with [`FastHasher`].
pub type FastSet<T> = HashSet<T, BuildHasherDefault<FastHasher>>;

/// FxHash: rotate, xor a word in, multiply.
#[derive(Debug, Default, Clone, Copy)]
pub struct FastHasher(u64);

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.add(u64::from_le_bytes(word.try_into().expect("8 bytes")));
        }
        for &byte in words.remainder() {
            self.add(u64::from(byte));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    fn hash(value: impl Hash) -> u64 {
        BuildHasherDefault::<FastHasher>::default().hash_one(value)
    }

    #[test]
    fn equal_keys_hash_alike_and_different_ones_apart() {
        assert_eq!(hash("docs/a.md"), hash(String::from("docs/a.md")));
        let paths = ["a.md", "b.md", "docs/a.md", "docs/a.mdx", "docs/chapter-10/a.md"];
        let hashes: FastSet<u64> = paths.iter().map(hash).collect();
        assert_eq!(hashes.len(), paths.len());
        let map: FastMap<std::path::PathBuf, usize> =
            paths.iter().enumerate().map(|(i, p)| (p.into(), i)).collect();
        assert_eq!(map[std::path::Path::new("docs/a.mdx")], 3);
    }
}
