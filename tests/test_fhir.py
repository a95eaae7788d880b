"""The FHIR export: a streamed collection Bundle of a patient's check-ins."""

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fhir.resources.R4B.bundle import Bundle

from crampcare.fhir import (
    CODE_SYSTEM,
    PATIENT_ID_SYSTEM,
    bundle_chunks,
    checkin_observations,
    patient_full_url,
    patient_resource,
)
from crampcare.vocabulary import RED_FLAG_CLINICAL, RED_FLAGS

# fhir.resources 8.x ships FHIR 5.0.0 at its top level and only R4B (4.3.0) and STU3
# beside it; R4B's Bundle, Patient and Observation match R4's.

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
GENERATED_AT = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
BERLIN_SUMMER = timezone(timedelta(hours=2))


@dataclass
class Patient:
    id: int = 42
    email: str = "rosa@example.org"
    created_at: datetime = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass
class Checkin:
    id: int = 1
    client_id: str = "6f1c1d52-7a43-4a53-9f0e-3c1b8e2f5a10"
    recorded_at: datetime = datetime(2025, 6, 1, 19, 45, tzinfo=BERLIN_SUMMER)
    session_id: int | None = None
    cramp_severity: int = 0
    cramp_timing: str | None = None
    cramp_locations: list[str] = field(default_factory=list)
    pain: int | None = None
    water_ml: int | None = None
    electrolytes: list[str] = field(default_factory=list)
    sweat: str | None = None
    exertion: int | None = None
    red_flags: list[str] = field(default_factory=list)
    notes: str | None = None


def full_checkin(**overrides) -> Checkin:
    values = {
        "id": 7,
        "client_id": "0b9e8f7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b",
        "session_id": 3,
        "cramp_severity": 2,
        "cramp_timing": "after_stretch",
        "cramp_locations": ["lower_back_left", "mid_back"],
        "pain": 6,
        "water_ml": 400,
        "electrolytes": ["sodium", "magnesium"],
        "sweat": "heavy",
        "exertion": 8,
        "red_flags": ["long_cramp"],
        "notes": "Müdigkeit, 痛み",
    }
    values.update(overrides)
    return Checkin(**values)


def export(checkins, patient=None) -> dict:
    """Join the stream, check it against the FHIR models, and return the parsed JSON."""
    text = "".join(bundle_chunks(patient or Patient(), checkins, GENERATED_AT))
    document = json.loads(text)
    Bundle.model_validate(document)
    return document


def codings(concept: dict) -> set[tuple[str, str]]:
    return {(c["system"], c["code"]) for c in concept["coding"]}


def by_id(document: dict) -> dict[str, dict]:
    return {e["resource"]["id"]: e for e in document["entry"]}


def component(observation: dict, system: str, code: str) -> list[dict]:
    return [c for c in observation.get("component", []) if (system, code) in codings(c["code"])]


def test_empty_export_is_a_bundle_with_the_patient_only():
    document = export([])
    assert document["resourceType"] == "Bundle"
    assert document["type"] == "collection"
    assert document["timestamp"] == "2025-06-02T09:30:00+00:00"
    assert [e["resource"]["resourceType"] for e in document["entry"]] == ["Patient"]


def test_patient_carries_the_id_and_no_email():
    patient = patient_resource(Patient(id=42))
    assert patient["identifier"] == [{"system": PATIENT_ID_SYSTEM, "value": "42"}]
    assert "rosa@example.org" not in json.dumps(patient)
    assert "telecom" not in patient
    assert "name" not in patient


def test_full_checkin_maps_every_field():
    entries = by_id(export([full_checkin()]))
    assert list(entries) == [
        "patient-42",
        "checkin-7-cramp",
        "checkin-7-water",
        "checkin-7-exertion",
        "checkin-7-sweat",
        "checkin-7-electrolytes",
        "checkin-7-red-flags",
        "checkin-7-notes",
    ]
    patient_url = entries["patient-42"]["fullUrl"]
    for entry_id, entry in entries.items():
        if entry_id == "patient-42":
            continue
        resource = entry["resource"]
        assert resource["status"] == "final"
        assert resource["subject"] == {"reference": patient_url}
        assert resource["category"][0]["coding"][0]["system"] == (
            "http://terminology.hl7.org/CodeSystem/observation-category"
        )
    assert entries["checkin-7-exertion"]["resource"]["valueInteger"] == 8
    sweat = entries["checkin-7-sweat"]["resource"]["valueCodeableConcept"]
    assert codings(sweat) == {(CODE_SYSTEM, "heavy")}
    electrolytes = entries["checkin-7-electrolytes"]["resource"]["component"]
    assert [codings(c["valueCodeableConcept"]) for c in electrolytes] == [
        {(CODE_SYSTEM, "sodium")},
        {(CODE_SYSTEM, "magnesium")},
    ]
    flags = entries["checkin-7-red-flags"]["resource"]["component"]
    assert [codings(c["valueCodeableConcept"]) for c in flags] == [{(CODE_SYSTEM, "long_cramp")}]
    assert entries["checkin-7-notes"]["resource"]["valueString"] == "Müdigkeit, 痛み"


def test_cramp_uses_the_snomed_finding_with_its_details():
    cramp = by_id(export([full_checkin()]))["checkin-7-cramp"]["resource"]
    assert codings(cramp["code"]) == {(SNOMED, "55300003")}
    assert cramp["code"]["coding"][0]["display"] == "Cramp (finding)"
    assert "valueInteger" not in cramp
    [severity] = component(cramp, SNOMED, "246112005")
    assert severity == component(cramp, CODE_SYSTEM, "cramp-severity")[0]
    assert codings(severity["valueCodeableConcept"]) == {(SNOMED, "6736007")}
    assert severity["valueCodeableConcept"]["text"] == "Moderate"
    [timing] = component(cramp, CODE_SYSTEM, "cramp-timing")
    assert codings(timing["valueCodeableConcept"]) == {(CODE_SYSTEM, "after_stretch")}
    locations = component(cramp, CODE_SYSTEM, "cramp-location")
    # The lower back has a SNOMED CT body structure; the mid back goes as text and our code.
    assert [codings(c["valueCodeableConcept"]) for c in locations] == [
        {(SNOMED, "37822005"), (CODE_SYSTEM, "lower_back_left")},
        {(CODE_SYSTEM, "mid_back")},
    ]
    assert [c["valueCodeableConcept"]["text"] for c in locations] == [
        "Lower back, left",
        "Mid back",
    ]
    # Two sites: Observation.bodySite holds one, so the components carry them.
    assert "bodySite" not in cramp
    [pain] = component(cramp, LOINC, "72514-3")
    assert pain["valueInteger"] == 6


def test_no_cramp_is_recorded_with_the_project_code_not_snomed():
    document = export([Checkin(id=3, cramp_severity=0, pain=2)])
    text = json.dumps(document)
    assert "55300003" not in text
    observation = by_id(document)["checkin-3-cramp"]["resource"]
    assert codings(observation["code"]) == {(CODE_SYSTEM, "cramp-severity")}
    assert observation["valueInteger"] == 0
    [pain] = component(observation, LOINC, "72514-3")
    assert pain["valueInteger"] == 2


def test_snomed_cramp_appears_only_on_the_cramps():
    checkins = [
        Checkin(id=1, client_id=str(uuid.uuid4()), cramp_severity=0),
        Checkin(id=2, client_id=str(uuid.uuid4()), cramp_severity=1, cramp_timing="night"),
        Checkin(id=3, client_id=str(uuid.uuid4()), cramp_severity=3, cramp_timing="at_rest"),
    ]
    entries = by_id(export(checkins))
    with_finding = {
        entry_id
        for entry_id, entry in entries.items()
        if (SNOMED, "55300003") in codings(entry["resource"].get("code", {"coding": []}))
    }
    assert with_finding == {"checkin-2-cramp", "checkin-3-cramp"}


def test_water_is_loinc_fluid_intake_in_ucum_millilitres():
    water = by_id(export([full_checkin(water_ml=750)]))["checkin-7-water"]["resource"]
    assert codings(water["code"]) == {(LOINC, "9000-1")}
    assert water["code"]["coding"][0]["display"] == "Fluid intake oral Measured"
    assert water["valueQuantity"] == {
        "value": 750,
        "unit": "mL",
        "system": "http://unitsofmeasure.org",
        "code": "mL",
    }


def test_zero_water_is_still_recorded():
    ids = [o["id"] for o in checkin_observations(Checkin(id=5, water_ml=0), "urn:uuid:x")]
    assert "checkin-5-water" in ids


def test_absent_fields_make_no_observation():
    ids = [o["id"] for o in checkin_observations(Checkin(id=5), "urn:uuid:x")]
    assert ids == ["checkin-5-cramp"]


def test_effective_time_keeps_the_offset_it_was_recorded_with():
    recorded_at = datetime(2025, 6, 1, 23, 15, tzinfo=timezone(timedelta(hours=-7)))
    [observation] = checkin_observations(Checkin(recorded_at=recorded_at), "urn:uuid:x")
    assert observation["effectiveDateTime"] == "2025-06-01T23:15:00-07:00"


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="recorded_at"):
        checkin_observations(Checkin(recorded_at=datetime(2025, 6, 1, 8, 0)), "urn:uuid:x")
    with pytest.raises(ValueError, match="generated_at"):
        bundle_chunks(Patient(), [], datetime(2025, 6, 2, 9, 30))


def test_ids_and_full_urls_are_deterministic():
    first = export([full_checkin()])
    again = export([full_checkin()])
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in again["entry"]]
    urls = [e["fullUrl"] for e in first["entry"]]
    assert len(set(urls)) == len(urls)
    for url in urls:
        assert url.startswith("urn:uuid:")
        assert uuid.UUID(url.removeprefix("urn:uuid:")).version == 5


def test_full_url_follows_the_client_id_not_the_database_id():
    one = by_id(export([full_checkin(id=7)]))["checkin-7-water"]["fullUrl"]
    renumbered = by_id(export([full_checkin(id=8)]))["checkin-8-water"]["fullUrl"]
    other_client = by_id(export([full_checkin(id=7, client_id=str(uuid.uuid4()))]))
    assert one == renumbered
    assert other_client["checkin-7-water"]["fullUrl"] != one


def test_patient_reference_points_at_the_patient_entry():
    document = export([full_checkin()], patient=Patient(id=9))
    assert document["entry"][0]["fullUrl"] == patient_full_url(Patient(id=9))
    assert document["entry"][0]["fullUrl"] != patient_full_url(Patient(id=10))


def test_many_checkins_make_one_valid_bundle():
    checkins = [
        full_checkin(
            id=n,
            client_id=str(uuid.uuid5(uuid.NAMESPACE_OID, str(n))),
            cramp_severity=n % 4,
            cramp_timing="night" if n % 4 else None,
            recorded_at=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=n),
        )
        for n in range(1, 301)
    ]
    document = export(checkins)
    observations = document["entry"][1:]
    assert len(observations) == 300 * 7
    assert {e["resource"]["resourceType"] for e in observations} == {"Observation"}
    assert observations[-1]["resource"]["id"] == "checkin-300-notes"


def test_stream_starts_before_any_checkin_is_read():
    pulled = []

    def checkins():
        for n in (1, 2):
            pulled.append(n)
            yield Checkin(id=n, client_id=str(uuid.uuid4()))
        raise AssertionError("a third check-in was requested")

    chunks = bundle_chunks(Patient(), checkins(), GENERATED_AT)
    head = next(chunks)
    assert head.startswith('{"resourceType":"Bundle"')
    assert pulled == []
    patient = next(chunks)
    assert '"Patient"' in patient
    assert pulled == []
    first = next(chunks)
    assert '"checkin-1-cramp"' in first
    assert pulled == [1]
    second = next(chunks)
    assert '"checkin-2-cramp"' in second
    assert pulled == [1, 2]


def test_each_checkin_is_one_chunk():
    chunks = list(bundle_chunks(Patient(), [full_checkin(), full_checkin(id=8)], GENERATED_AT))
    # head, patient, one per check-in, closing brackets
    assert len(chunks) == 5
    assert chunks[-1] == "]}"


def test_every_red_flag_code_exports_with_its_clinical_display():
    flags = list(RED_FLAGS)
    document = export([full_checkin(red_flags=flags)])
    components = by_id(document)["checkin-7-red-flags"]["resource"]["component"]
    values = [c["valueCodeableConcept"]["coding"][0] for c in components]
    assert [(v["system"], v["code"]) for v in values] == [(CODE_SYSTEM, f) for f in flags]
    assert {v["code"]: v["display"] for v in values} == RED_FLAG_CLINICAL


@pytest.mark.parametrize(
    ("severity", "code", "label"),
    [(1, "255604002", "Mild"), (2, "6736007", "Moderate"), (3, "24484000", "Severe")],
)
def test_severity_is_a_snomed_qualifier(severity, code, label):
    checkin = full_checkin(cramp_severity=severity)
    cramp = by_id(export([checkin]))["checkin-7-cramp"]["resource"]
    [component_] = component(cramp, SNOMED, "246112005")
    assert component_["valueCodeableConcept"]["coding"] == [
        {"system": SNOMED, "code": code, "display": label}
    ]


def test_one_site_is_the_observations_body_site():
    checkin = full_checkin(cramp_locations=["lower_back"])
    cramp = by_id(export([checkin]))["checkin-7-cramp"]["resource"]
    assert codings(cramp["bodySite"]) == {(SNOMED, "37822005"), (CODE_SYSTEM, "lower_back")}
    assert cramp["bodySite"]["text"] == "Lower back"


@dataclass
class Plan:
    id: int = 3
    routine_slug: str = "gentle-lower-back-release"
    routine_title: str = "Gentle lower back release"
    sessions_per_week: int = 4
    note: str = "Hold each stretch gently."
    created_at: datetime = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
    clinician: str | None = "Dr Ana Ruiz"


def test_plans_are_care_plans_with_the_routine_and_its_frequency():
    text = "".join(bundle_chunks(Patient(), [full_checkin()], GENERATED_AT, [Plan()]))
    document = json.loads(text)
    Bundle.model_validate(document)
    plan = by_id(document)["plan-3"]["resource"]
    assert plan["resourceType"] == "CarePlan"
    assert (plan["status"], plan["intent"]) == ("active", "plan")
    assert plan["subject"] == {"reference": by_id(document)["patient-42"]["fullUrl"]}
    assert plan["author"] == {"display": "Dr Ana Ruiz"}
    [activity] = plan["activity"]
    detail = activity["detail"]
    assert detail["code"]["coding"][0]["code"] == "gentle-lower-back-release"
    assert detail["scheduledTiming"]["repeat"] == {"frequency": 4, "period": 1, "periodUnit": "wk"}
    assert detail["description"] == "Hold each stretch gently."
