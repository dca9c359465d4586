//! Random mutations of the corpus: whenever the fast parser accepts a
//! mutant, pest builds the same tree.

use super::{assert_sound, corpus};

/// A tiny deterministic PRNG (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INSERTS: &[&str] = &[
    "{", "}", "\"", "\"\"\"", ".", "=", "==", "\n", "\r\n", "(", ")", "[", "]", ",", ";", "-",
    "- ", "$", "${", "}", "\\", "/", "/*", "*/", "//", "*", "+", "+=", "@", "?", "|", ":", " ",
    "\t", "not ", "if ", " then ", " else ", " and ", " or ", " in ", "0", "1.5", "ms", "e5", "_",
    "env ", "check ", "self", "true", "x", "é",
];

/// Tokens of LANGUAGE.md §9 added to `INSERTS` for the §9 mutations.
const INSERTS_9: &[&str] = &[
    " is ",
    "is",
    " for ",
    "for ",
    " in ",
    " if ",
    "all(",
    "any(",
    "x in ",
    "k, v in ",
    ": ",
    ":=",
    "unset ",
    " | ",
    "?",
    "int",
    "list[int]",
    "test ",
    "assert ",
    "[x for x in y]",
    "{ k = v for k, v in m }",
    ",",
    "\n",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    mutate_with(rng, text, INSERTS)
}

fn mutate_with(rng: &mut Rng, text: &str, inserts: &[&str]) -> String {
    if rng.below(4) == 0 {
        return mutate_lines(rng, text);
    }
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..=rng.below(2) {
        let at = rng.below(chars.len() + 1);
        match rng.below(5) {
            0 if at < chars.len() => {
                let len = 1 + rng.below(6);
                chars.drain(at..(at + len).min(chars.len()));
            }
            1 if at < chars.len() => {
                let c = chars[at];
                chars.insert(at, c);
            }
            2 if at + 1 < chars.len() => chars.swap(at, at + 1),
            _ => {
                let s = inserts[rng.below(inserts.len())];
                chars.splice(at..at, s.chars());
            }
        }
    }
    chars.into_iter().collect()
}

/// Swaps, duplicates or drops whole lines: mostly still valid programs.
fn mutate_lines(rng: &mut Rng, text: &str) -> String {
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    if lines.len() < 2 {
        return text.to_owned();
    }
    let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
    match rng.below(3) {
        0 => lines.swap(a, b),
        1 => lines.insert(a, lines[b]),
        _ => {
            lines.remove(a);
        }
    }
    lines.concat()
}

#[test]
fn every_fast_success_on_mutations_matches_pest() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut tried, mut accepted) = (0, 0);
    for (name, text) in corpus() {
        // Keep debug-mode pest affordable on the big files.
        let rounds = if text.len() > 20_000 { 20 } else { 300 };
        for round in 0..rounds {
            let mutated = mutate(&mut rng, &text);
            tried += 1;
            accepted += usize::from(assert_sound(&mutated, &format!("{name} mutation {round}")));
        }
    }
    // Both outcomes must be well exercised for the test to mean something.
    assert!(
        accepted * 10 > tried,
        "only {accepted} of {tried} mutants accepted"
    );
    assert!(
        accepted * 10 < tried * 9,
        "{accepted} of {tried} mutants accepted"
    );
}

/// Mutations of the §9 texts of the corpus, with §9 tokens inserted as well.
#[test]
fn every_fast_success_on_section_9_mutations_matches_pest() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let inserts: Vec<&str> = INSERTS.iter().chain(INSERTS_9).copied().collect();
    let texts: Vec<(String, String)> = corpus()
        .into_iter()
        .filter(|(name, _)| name.contains("section9") || name.contains("§9"))
        .collect();
    assert!(texts.len() >= 2, "the §9 seeds are in the corpus");
    let (mut tried, mut accepted) = (0, 0);
    for (name, text) in texts {
        for round in 0..1500 {
            let mutated = mutate_with(&mut rng, &text, &inserts);
            tried += 1;
            accepted += usize::from(assert_sound(
                &mutated,
                &format!("{name} §9 mutation {round}"),
            ));
        }
    }
    assert!(
        accepted * 10 > tried && accepted * 10 < tried * 9,
        "{accepted} of {tried} §9 mutants accepted"
    );
}
