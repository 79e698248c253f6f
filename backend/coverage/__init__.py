"""Coverage of a jurisdiction, for supervisors: visits, findings, return visits, review turnaround."""
