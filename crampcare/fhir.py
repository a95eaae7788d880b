"""Map a patient's check-ins to a FHIR R4 collection Bundle, streamed as JSON text."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from .vocabulary import RECORD_DISPLAYS

CODE_SYSTEM = "https://crampcare.example/fhir/CodeSystem/checkin"
PATIENT_ID_SYSTEM = "https://crampcare.example/fhir/patient-id"

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"

# Every urn:uuid in an export is a uuid5 under this namespace, so the same record
# always gets the same fullUrl and a clinician's system can recognise a re-import.
URN_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://crampcare.example/fhir")

_CRAMP_FINDING = {"system": SNOMED, "code": "55300003", "display": "Cramp (finding)"}
_WATER_INTAKE = {"system": LOINC, "code": "9000-1", "display": "Fluid intake oral Measured"}
_PAIN_SCORE = {
    "system": LOINC,
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}

# SNOMED CT qualifier values for the cramp's severity, under the attribute
# 246112005 |Severity (attribute)|.
_SEVERITY_ATTRIBUTE = {"system": SNOMED, "code": "246112005", "display": "Severity"}
_SEVERITY_QUALIFIERS = {
    1: {"system": SNOMED, "code": "255604002", "display": "Mild"},
    2: {"system": SNOMED, "code": "6736007", "display": "Moderate"},
    3: {"system": SNOMED, "code": "24484000", "display": "Severe"},
}
# Body sites with a SNOMED CT body structure. A side of the lower back is still the
# lower back: its coding says so and the text keeps the side. The mid and upper back
# have no code here yet (none could be checked), so they go as our code and text only.
_LOWER_BACK = {"system": SNOMED, "code": "37822005", "display": "Lower back structure"}
_BODY_SITES = {
    "lower_back": _LOWER_BACK,
    "lower_back_left": _LOWER_BACK,
    "lower_back_right": _LOWER_BACK,
}
ROUTINE_SYSTEM = "https://crampcare.example/fhir/CodeSystem/routine"

# Labels for the project's own codes: the field names of the check-in and their values.
_DISPLAYS = {
    "cramp-severity": "Cramp severity (0 none, 1 mild, 2 moderate, 3 severe)",
    "cramp-timing": "When the cramp came",
    "cramp-location": "Where the cramp was felt",
    "exertion": "How hard the workout felt (1-10)",
    "sweat": "How much the patient sweated",
    "electrolytes": "Electrolytes taken around the workout",
    "electrolyte": "Electrolyte taken",
    "red-flags": "Warning signs reported",
    "red-flag": "Warning sign",
    "notes": "Patient's notes",
    **RECORD_DISPLAYS,
}


def patient_full_url(patient: Any) -> str:
    """Return the Bundle-local urn:uuid that Observations use to point at the patient."""
    return f"urn:uuid:{uuid.uuid5(URN_NAMESPACE, f'patient/{patient.id}')}"


def patient_resource(patient: Any) -> dict:
    """Return the Patient resource: an identifier only, since nothing more is needed."""
    # The email stays out: the receiving record already knows who the patient is,
    # and an export file should carry no more personal data than it must.
    return {
        "resourceType": "Patient",
        "id": f"patient-{patient.id}",
        "identifier": [{"system": PATIENT_ID_SYSTEM, "value": str(patient.id)}],
    }


def checkin_observations(checkin: Any, patient_ref: str) -> list[dict]:
    """Return the Observations recorded by one check-in, cramp first."""
    return [resource for _, resource in _slotted_observations(checkin, patient_ref)]


def observation_full_url(checkin: Any, slot: str) -> str:
    """Return the urn:uuid of one Observation of a check-in, derived from its client_id."""
    # The client_id is what stays the same when an offline check-in is sent twice,
    # so the urn is derived from it rather than from the database id.
    return f"urn:uuid:{uuid.uuid5(URN_NAMESPACE, f'checkin/{checkin.client_id}/{slot}')}"


def _slotted_observations(checkin: Any, patient_ref: str) -> list[tuple[str, dict]]:
    # The slot names which field an Observation carries; it ends the resource id
    # and seeds the fullUrl, so both stay the same across exports.
    effective = _iso_with_offset(checkin.recorded_at, "recorded_at")

    def observation(slot: str, category: str, code: dict, **fields: Any) -> tuple[str, dict]:
        return slot, {
            "resourceType": "Observation",
            "id": f"checkin-{checkin.id}-{slot}",
            "status": "final",
            "category": [{"coding": [{"system": CATEGORY_SYSTEM, "code": category}]}],
            "code": code,
            "subject": {"reference": patient_ref},
            "effectiveDateTime": effective,
            **fields,
        }

    cramp_code, cramp_fields = _cramp_code_and_fields(checkin)
    observations = [observation("cramp", "survey", cramp_code, **cramp_fields)]
    if checkin.water_ml is not None:
        water = {"value": checkin.water_ml, "unit": "mL", "system": UCUM, "code": "mL"}
        observations.append(
            observation("water", "activity", {"coding": [_WATER_INTAKE]}, valueQuantity=water)
        )
    if checkin.exertion is not None:
        observations.append(
            observation(
                "exertion", "activity", _project_concept("exertion"), valueInteger=checkin.exertion
            )
        )
    if checkin.sweat:
        observations.append(
            observation(
                "sweat",
                "activity",
                _project_concept("sweat"),
                valueCodeableConcept=_project_concept(checkin.sweat),
            )
        )
    if checkin.electrolytes:
        observations.append(
            observation(
                "electrolytes",
                "activity",
                _project_concept("electrolytes"),
                component=[_coded_component("electrolyte", e) for e in checkin.electrolytes],
            )
        )
    if checkin.red_flags:
        observations.append(
            observation(
                "red-flags",
                "survey",
                _project_concept("red-flags"),
                component=[_coded_component("red-flag", f) for f in checkin.red_flags],
            )
        )
    if checkin.notes:
        observations.append(
            observation("notes", "survey", _project_concept("notes"), valueString=checkin.notes)
        )
    return observations


def bundle_chunks(
    patient: Any, checkins: Iterable, generated_at: datetime, plans: Iterable = ()
) -> Iterator[str]:
    """Return the Bundle as JSON text pieces; joined, they form one valid document.

    `plans` (home programmes, few) become CarePlans right after the Patient.
    """
    # Checked here rather than inside the generator, so a bad call fails before a
    # response has started streaming.
    timestamp = _iso_with_offset(generated_at, "generated_at")
    return _bundle_chunks(patient, checkins, timestamp, list(plans))


def _bundle_chunks(patient: Any, checkins: Iterable, timestamp: str, plans: list) -> Iterator[str]:
    patient_ref = patient_full_url(patient)
    head = {"resourceType": "Bundle", "type": "collection", "timestamp": timestamp}
    # The opening object is written by json.dumps and then left open, so the entries
    # can follow one check-in at a time without ever being gathered in a list.
    yield _dumps(head)[:-1] + ',"entry":['
    yield _dumps({"fullUrl": patient_ref, "resource": patient_resource(patient)})
    for plan in plans:
        resource = careplan_resource(plan, patient_ref)
        yield "," + _dumps({"fullUrl": careplan_full_url(plan), "resource": resource})
    for checkin in checkins:
        yield "".join(
            "," + _dumps({"fullUrl": observation_full_url(checkin, slot), "resource": resource})
            for slot, resource in _slotted_observations(checkin, patient_ref)
        )
    yield "]}"


def _cramp_code_and_fields(checkin: Any) -> tuple[dict, dict]:
    severity = checkin.cramp_severity
    components = []
    if severity >= 1:
        # The SNOMED finding means a cramp happened, so it is never used for "none".
        code = {"coding": [_CRAMP_FINDING]}
        components.append(_severity_component(severity))
        if checkin.cramp_timing:
            components.append(_coded_component("cramp-timing", checkin.cramp_timing))
        sites = [_body_site(location) for location in checkin.cramp_locations]
        components += [
            {"code": _project_concept("cramp-location"), "valueCodeableConcept": site}
            for site in sites
        ]
        # Observation.bodySite holds one site; with several, the components carry them.
        fields: dict = {"bodySite": sites[0]} if len(sites) == 1 else {}
    else:
        code = _project_concept("cramp-severity")
        fields = {"valueInteger": 0}
    if checkin.pain is not None:
        components.append(_integer_component({"coding": [_PAIN_SCORE]}, checkin.pain))
    if components:
        fields["component"] = components
    return code, fields


def _severity_component(severity: int) -> dict:
    code = {"coding": [_SEVERITY_ATTRIBUTE, *_project_concept("cramp-severity")["coding"]]}
    qualifier = _SEVERITY_QUALIFIERS.get(severity)
    if qualifier is None:
        return _integer_component(code, severity)
    return {
        "code": code,
        "valueCodeableConcept": {"coding": [qualifier], "text": qualifier["display"]},
    }


def _body_site(location: str) -> dict:
    concept = _project_concept(location)
    snomed = _BODY_SITES.get(location)
    if snomed is not None:
        concept["coding"].insert(0, snomed)
    concept["text"] = _DISPLAYS.get(location, location)
    return concept


def careplan_resource(plan: Any, patient_ref: str) -> dict:
    """A home programme as a CarePlan: one activity, the routine so many times a week."""
    activity = {
        "kind": "ServiceRequest",
        "code": {
            "coding": [
                {"system": ROUTINE_SYSTEM, "code": plan.routine_slug, "display": plan.routine_title}
            ],
            "text": plan.routine_title,
        },
        "status": "in-progress",
        "scheduledTiming": {
            "repeat": {"frequency": plan.sessions_per_week, "period": 1, "periodUnit": "wk"}
        },
    }
    if plan.note:
        activity["description"] = plan.note
    resource = {
        "resourceType": "CarePlan",
        "id": f"plan-{plan.id}",
        "status": "active",
        "intent": "plan",
        "title": f"Home programme: {plan.routine_title}",
        "subject": {"reference": patient_ref},
        "created": _iso_with_offset(plan.created_at, "created_at"),
        "activity": [{"detail": activity}],
    }
    if plan.clinician:
        resource["author"] = {"display": plan.clinician}
    return resource


def careplan_full_url(plan: Any) -> str:
    """Return the urn:uuid of a plan's CarePlan."""
    return f"urn:uuid:{uuid.uuid5(URN_NAMESPACE, f'plan/{plan.id}')}"


def _project_concept(code: str) -> dict:
    return {"coding": [{"system": CODE_SYSTEM, "code": code, "display": _DISPLAYS.get(code, code)}]}


def _coded_component(field: str, value: str) -> dict:
    return {"code": _project_concept(field), "valueCodeableConcept": _project_concept(value)}


def _integer_component(code: dict, value: int) -> dict:
    return {"code": code, "valueInteger": value}


def _iso_with_offset(moment: datetime, name: str) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must carry a UTC offset, got naive {moment.isoformat()}")
    return moment.isoformat()


def _dumps(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
