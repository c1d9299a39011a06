//! CVSS 3.x base scores from advisory vectors, so a finding can say "critical" instead of
//! `AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`.
//!
//! The formula is the CVSS 3.1 specification's (3.0 differs only in rounding, which the
//! 3.1 rounding reproduces for every base vector). CVSS 4.0 scores come from a lookup
//! table of 270 macro vectors rather than a formula; for those the vector is shown as is.

use std::fmt;

/// A CVSS 3.x base score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score(pub f64);

impl Score {
    /// The score of a `CVSS:3.0/...` or `CVSS:3.1/...` vector; `None` for other versions
    /// or a vector missing a base metric.
    pub fn parse(vector: &str) -> Option<Score> {
        let mut parts = vector.split('/');
        if !matches!(parts.next()?, "CVSS:3.0" | "CVSS:3.1") {
            return None;
        }
        let metrics: Vec<(&str, &str)> = parts.filter_map(|part| part.split_once(':')).collect();
        let metric =
            |name: &str| metrics.iter().find(|(key, _)| *key == name).map(|(_, value)| *value);
        let changed = match metric("S")? {
            "U" => false,
            "C" => true,
            _ => return None,
        };
        let impact_of = |name: &str| match metric(name) {
            Some("H") => Some(0.56),
            Some("L") => Some(0.22),
            Some("N") => Some(0.0),
            _ => None,
        };
        let iss: f64 =
            1.0 - (1.0 - impact_of("C")?) * (1.0 - impact_of("I")?) * (1.0 - impact_of("A")?);
        let impact =
            if changed { 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15) } else { 6.42 * iss };
        let attack_vector = match metric("AV")? {
            "N" => 0.85,
            "A" => 0.62,
            "L" => 0.55,
            "P" => 0.2,
            _ => return None,
        };
        let complexity = match metric("AC")? {
            "L" => 0.77,
            "H" => 0.44,
            _ => return None,
        };
        let privileges = match (metric("PR")?, changed) {
            ("N", _) => 0.85,
            ("L", false) => 0.62,
            ("L", true) => 0.68,
            ("H", false) => 0.27,
            ("H", true) => 0.5,
            _ => return None,
        };
        let interaction = match metric("UI")? {
            "N" => 0.85,
            "R" => 0.62,
            _ => return None,
        };
        let exploitability: f64 = 8.22 * attack_vector * complexity * privileges * interaction;
        if impact <= 0.0 {
            return Some(Score(0.0));
        }
        let total =
            if changed { 1.08 * (impact + exploitability) } else { impact + exploitability };
        Some(Score(round_up(total.min(10.0))))
    }

    /// `none`, `low`, `medium`, `high` or `critical`.
    pub fn severity(self) -> &'static str {
        match self.0 {
            0.0 => "none",
            s if s < 4.0 => "low",
            s if s < 7.0 => "medium",
            s if s < 9.0 => "high",
            _ => "critical",
        }
    }
}

/// `CVSS 9.8 critical`.
impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CVSS {:.1} {}", self.0, self.severity())
    }
}

/// The specification's Roundup: the smallest one-decimal number not below `value`,
/// computed on integers so that 4.000000001 does not become 4.1.
fn round_up(value: f64) -> f64 {
    let scaled = (value * 100_000.0).round() as i64;
    if scaled % 10_000 == 0 {
        scaled as f64 / 100_000.0
    } else {
        ((scaled / 10_000) + 1) as f64 / 10.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(vector: &str) -> String {
        Score::parse(vector).map_or("none".to_owned(), |score| score.to_string())
    }

    #[test]
    fn scores_match_the_nvd_calculator() {
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), "CVSS 9.8 critical");
        assert_eq!(score("CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"), "CVSS 6.2 medium");
        assert_eq!(score("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"), "CVSS 6.1 medium");
        assert_eq!(score("CVSS:3.1/AV:N/AC:H/PR:L/UI:R/S:C/C:H/I:H/A:H"), "CVSS 8.0 high");
        assert_eq!(score("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"), "CVSS 1.6 low");
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"), "CVSS 0.0 none");
        assert_eq!(
            score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            "none"
        );
    }
}
