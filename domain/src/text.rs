//! Validation of the text a person types: names, e-mail addresses, domains and tags.
//!
//! Each function takes the input path of the field it checks, so that an error names exactly
//! what to fix.

use crate::{DomainError, DomainResult};

/// A required piece of text, trimmed, between 1 and `max` characters.
pub fn required(field: &str, value: &str, max: usize) -> DomainResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    check_length(field, value, max)?;
    check_printable(field, value)?;
    Ok(value.to_owned())
}

/// Optional text: trimmed, and `None` when it is empty.
pub fn optional(field: &str, value: Option<&str>, max: usize) -> DomainResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => {
            check_length(field, v, max)?;
            check_printable(field, v)?;
            Ok(Some(v.to_owned()))
        }
    }
}

fn check_length(field: &str, value: &str, max: usize) -> DomainResult<()> {
    let chars = value.chars().count();
    if chars > max {
        return Err(DomainError::invalid(
            field,
            format!("is {chars} characters long; at most {max} are allowed"),
        ));
    }
    Ok(())
}

fn check_printable(field: &str, value: &str) -> DomainResult<()> {
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(DomainError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// An e-mail address: one `@`, a non-empty local part and a domain with a dot. Lower-cased, since
/// addresses are compared to find duplicates.
pub fn email(field: &str, value: &str) -> DomainResult<String> {
    let value = required(field, value, 254)?.to_lowercase();
    let valid = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && hostname_is_valid(domain)
                && !value.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if !valid {
        return Err(DomainError::invalid(
            field,
            format!("'{value}' is not an e-mail address (expected name@example.com)"),
        ));
    }
    Ok(value)
}

/// An internet domain such as `acme.com`, lower-cased; a pasted URL is reduced to its host.
pub fn domain(field: &str, value: &str) -> DomainResult<String> {
    let raw = required(field, value, 253)?.to_lowercase();
    let host = raw
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.")
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .to_owned();
    if !hostname_is_valid(&host) {
        return Err(DomainError::invalid(
            field,
            format!("'{raw}' is not an internet domain (expected something like acme.com)"),
        ));
    }
    Ok(host)
}

fn hostname_is_valid(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && host.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// The most tags an object may carry.
pub const MAX_TAGS: usize = 50;

/// Tags: each trimmed, lower-cased, 1 to 50 characters of letters, digits, `-`, `_`, `:` or `.`;
/// returned sorted and without duplicates, since a tag set has no order.
pub fn tags(field: &str, values: &[String]) -> DomainResult<Vec<String>> {
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for (i, raw) in values.iter().enumerate() {
        let path = format!("{field}[{i}]");
        let tag = raw.trim().to_lowercase();
        if tag.is_empty() {
            return Err(DomainError::invalid(path, "a tag must not be empty"));
        }
        if tag.chars().count() > 50 {
            return Err(DomainError::invalid(
                path,
                "a tag is at most 50 characters long",
            ));
        }
        if !tag
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        {
            return Err(DomainError::invalid(
                path,
                format!("'{tag}' may hold only letters, digits, '-', '_', ':' and '.'"),
            ));
        }
        out.push(tag);
    }
    out.sort();
    out.dedup();
    if out.len() > MAX_TAGS {
        return Err(DomainError::invalid(
            field,
            format!("has {} tags; at most {MAX_TAGS} are allowed", out.len()),
        ));
    }
    Ok(out)
}

/// A list of short statements (jobs to be done, pain points…): each required, at most `max_len`
/// characters, at most `max_items` of them.
pub fn statements(
    field: &str,
    values: &[String],
    max_items: usize,
    max_len: usize,
) -> DomainResult<Vec<String>> {
    if values.len() > max_items {
        return Err(DomainError::invalid(
            field,
            format!(
                "has {} entries; at most {max_items} are allowed",
                values.len()
            ),
        ));
    }
    values
        .iter()
        .enumerate()
        .map(|(i, v)| required(&format!("{field}[{i}]"), v, max_len))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_is_trimmed_and_must_not_be_blank() {
        assert_eq!(required("name", "  Acme  ", 10).unwrap(), "Acme");
        let err = required("name", "   ", 10).unwrap_err();
        assert_eq!(err, DomainError::invalid("name", "must not be empty"));
    }

    #[test]
    fn text_longer_than_the_limit_is_refused_with_its_length() {
        let err = required("name", "abcdef", 5).unwrap_err();
        assert!(err.to_string().contains("6 characters"), "{err}");
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(required("name", "a\u{0}b", 10).is_err());
        assert!(required("note", "line\nline", 20).is_ok());
    }

    #[test]
    fn blank_optional_text_becomes_none() {
        assert_eq!(optional("f", Some("  "), 5).unwrap(), None);
        assert_eq!(optional("f", Some(" x "), 5).unwrap(), Some("x".into()));
    }

    #[test]
    fn emails_are_lower_cased_and_checked() {
        assert_eq!(email("e", "Ann@Acme.COM").unwrap(), "ann@acme.com");
        for bad in [
            "ann",
            "ann@",
            "@acme.com",
            "ann@acme",
            "a b@acme.com",
            "a@b@c.com",
        ] {
            assert!(email("e", bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn domains_are_reduced_to_their_host() {
        assert_eq!(
            domain("d", "https://www.Acme.com/shop?x=1").unwrap(),
            "acme.com"
        );
        assert_eq!(domain("d", "shop.acme.co.uk").unwrap(), "shop.acme.co.uk");
        for bad in ["acme", "acme..com", "-acme.com", "acme .com"] {
            assert!(domain("d", bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn tags_are_normalised_and_deduplicated() {
        let got = tags(
            "tags",
            &["VIP".into(), " vip ".into(), "beta-program".into()],
        )
        .unwrap();
        assert_eq!(got, vec!["beta-program", "vip"]);
    }

    #[test]
    fn a_bad_tag_is_named_by_its_position() {
        let err = tags("tags", &["ok".into(), "not ok".into()]).unwrap_err();
        assert!(matches!(err, DomainError::Invalid { ref field, .. } if field == "tags[1]"));
    }

    #[test]
    fn too_many_tags_are_refused() {
        let many: Vec<String> = (0..51).map(|i| format!("t{i}")).collect();
        assert!(tags("tags", &many).is_err());
    }
}
