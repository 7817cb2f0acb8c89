//! The phase plan of an engagement as a whole: the dependency graph (no cycles; what blocks a
//! phase; what can start next), dense ordering, and progress.

use std::collections::{HashMap, HashSet};

use super::phase::Phase;
use super::status::PhaseStatus;
use crate::ids::PhaseId;
use crate::{DomainError, DomainResult};

/// The phases `phase` depends on that are not delivered yet, in engagement order.
pub fn blockers<'a>(phase: &Phase, phases: &'a [Phase]) -> Vec<&'a Phase> {
    let mut out: Vec<&Phase> = phases
        .iter()
        .filter(|p| phase.depends_on.contains(&p.id) && !p.status.unblocks_dependents())
        .collect();
    out.sort_by_key(|p| p.position);
    out
}

/// The planned phases whose dependencies are all delivered: what can start next.
pub fn next_startable(phases: &[Phase]) -> Vec<&Phase> {
    let mut out: Vec<&Phase> = phases
        .iter()
        .filter(|p| p.status == PhaseStatus::Planned && blockers(p, phases).is_empty())
        .collect();
    out.sort_by_key(|p| p.position);
    out
}

/// Checks a new dependency set for `phase`: only phases of the same engagement, not itself, and
/// no cycle. On a cycle, the error walks it by name.
pub fn check_dependencies(
    phase: &Phase,
    depends_on: &[PhaseId],
    phases: &[Phase],
) -> DomainResult<()> {
    let by_id: HashMap<PhaseId, &Phase> = phases.iter().map(|p| (p.id, p)).collect();
    for (i, dep) in depends_on.iter().enumerate() {
        if *dep == phase.id {
            return Err(DomainError::invalid(
                format!("dependsOn[{i}]"),
                "a phase cannot depend on itself",
            ));
        }
        if !by_id.contains_key(dep) {
            return Err(DomainError::invalid(
                format!("dependsOn[{i}]"),
                "is not a phase of the same engagement",
            ));
        }
    }
    // Would any new dependency reach back to `phase`? Walk from each along depends_on edges.
    let edges = |id: PhaseId| -> Vec<PhaseId> {
        if id == phase.id {
            depends_on.to_vec()
        } else {
            by_id
                .get(&id)
                .map(|p| p.depends_on.clone())
                .unwrap_or_default()
        }
    };
    for start in depends_on {
        let mut path = vec![phase.id, *start];
        let mut seen = HashSet::new();
        if let Some(cycle) = reaches(*start, phase.id, &edges, &mut seen, &mut path) {
            let names: Vec<&str> = cycle
                .iter()
                .filter_map(|id| by_id.get(id).map(|p| p.data.name.as_str()))
                .collect();
            return Err(DomainError::invalid(
                "dependsOn",
                format!("that would make a cycle: {}", names.join(" → ")),
            ));
        }
    }
    Ok(())
}

fn reaches(
    from: PhaseId,
    target: PhaseId,
    edges: &dyn Fn(PhaseId) -> Vec<PhaseId>,
    seen: &mut HashSet<PhaseId>,
    path: &mut Vec<PhaseId>,
) -> Option<Vec<PhaseId>> {
    if !seen.insert(from) {
        return None;
    }
    for next in edges(from) {
        path.push(next);
        if next == target {
            return Some(path.clone());
        }
        if let Some(found) = reaches(next, target, edges, seen, path) {
            return Some(found);
        }
        path.pop();
    }
    None
}

/// The order after moving `moved` to `position` (1-based, clamped to the ends).
pub fn reorder(order: &[PhaseId], moved: PhaseId, position: usize) -> Vec<PhaseId> {
    let mut out: Vec<PhaseId> = order.iter().copied().filter(|id| *id != moved).collect();
    let index = position.saturating_sub(1).min(out.len());
    out.insert(index, moved);
    out
}

/// Accepted phases against all phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Phases accepted.
    pub accepted: usize,
    /// All phases.
    pub total: usize,
}

/// Accepted phases as a share of all phases, weighted by each phase's budget (`weight`, for
/// example its estimated in-scope hours); `None` when no phase carries any weight.
pub fn weighted_progress(phases: &[Phase], weight: impl Fn(&Phase) -> i64) -> Option<f64> {
    let total: i64 = phases.iter().map(&weight).sum();
    let accepted: i64 = phases
        .iter()
        .filter(|p| p.status == PhaseStatus::Accepted)
        .map(&weight)
        .sum();
    (total > 0).then(|| accepted as f64 / total as f64)
}

/// Progress by count.
pub fn progress(phases: &[Phase]) -> Progress {
    Progress {
        accepted: phases
            .iter()
            .filter(|p| p.status == PhaseStatus::Accepted)
            .count(),
        total: phases.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engagement::fixtures::phase;

    #[test]
    fn a_dependency_that_closes_a_cycle_is_refused_with_the_cycle_named() {
        let a = phase("A", 1, PhaseStatus::Planned, vec![]);
        let b = phase("B", 2, PhaseStatus::Planned, vec![a.id]);
        let c = phase("C", 3, PhaseStatus::Planned, vec![b.id]);
        let phases = vec![a.clone(), b.clone(), c.clone()];
        let err = check_dependencies(&a, &[c.id], &phases).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dependsOn: that would make a cycle: A → C → B → A"
        );
        assert!(check_dependencies(&a, &[a.id], &phases).is_err());
        assert!(check_dependencies(&c, &[a.id, b.id], &phases).is_ok());
        assert!(check_dependencies(&c, &[PhaseId::new()], &phases).is_err());
    }

    #[test]
    fn next_startable_phases_are_planned_with_dependencies_delivered() {
        let a = phase("A", 1, PhaseStatus::Delivered, vec![]);
        let b = phase("B", 2, PhaseStatus::Planned, vec![a.id]);
        let c = phase("C", 3, PhaseStatus::Planned, vec![b.id]);
        let d = phase("D", 4, PhaseStatus::Planned, vec![]);
        let phases = vec![a, b, c, d];
        let names: Vec<&str> = next_startable(&phases)
            .iter()
            .map(|p| p.data.name.as_str())
            .collect();
        assert_eq!(names, ["B", "D"]);
    }

    #[test]
    fn reordering_keeps_positions_dense() {
        let ids: Vec<PhaseId> = (0..4).map(|_| PhaseId::new()).collect();
        assert_eq!(
            reorder(&ids, ids[3], 1),
            vec![ids[3], ids[0], ids[1], ids[2]]
        );
        assert_eq!(
            reorder(&ids, ids[0], 99),
            vec![ids[1], ids[2], ids[3], ids[0]]
        );
        assert_eq!(
            reorder(&ids, ids[1], 0),
            vec![ids[1], ids[0], ids[2], ids[3]]
        );
    }

    #[test]
    fn weighted_progress_counts_each_phase_by_its_budget() {
        let a = phase("A", 1, PhaseStatus::Accepted, vec![]);
        let b = phase("B", 2, PhaseStatus::InProgress, vec![]);
        let weights = [(a.id, 100), (b.id, 300)];
        let weight = |p: &Phase| {
            weights
                .iter()
                .find(|(id, _)| *id == p.id)
                .map_or(0, |w| w.1)
        };
        assert_eq!(weighted_progress(&[a.clone(), b], weight), Some(0.25));
        assert_eq!(weighted_progress(&[a], |_| 0), None);
    }
}
