"""A held-out merge set, written without reading labelled.py: invented companies and jobs in the
shapes the real sources give (ATS boards, aggregators, HN comments, toots, skeets, alert
e-mails, SimplifyJobs' list), with the variations copies carry and the hard negatives."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

from aggregator.models import JobDetails, Posting

__all__ = ["heldout_postings"]

_BASE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# Shared blocks: every employer writes them, so they must not make two jobs look alike.
EEO = (
    "We are an equal opportunity employer and value diversity. All qualified applicants will "
    "receive consideration for employment without regard to race, color, religion, sex, sexual "
    "orientation, gender identity, national origin, disability or veteran status. If you need a "
    "reasonable accommodation during the process, tell our recruiting team."
)
BENEFITS = (
    "What we offer: competitive salary and meaningful equity. Medical, dental and vision "
    "coverage for you and your dependents. A 401(k) plan with a four percent match. Unlimited "
    "paid time off and twelve company holidays. A yearly learning budget of two thousand "
    "dollars. A home office stipend and a new laptop of your choice. Paid parental leave of "
    "sixteen weeks. Quarterly team offsites somewhere nice."
)
ROK_WORD = (
    "Please mention the word {word} and tag RMjAuMTQ{n}= when applying to show you read the job "
    "post completely (#RMjAuMTQ{n}=). This is a beta feature to avoid spam applicants. Companies "
    "can search these words to find applicants that read this and see they're human."
)

_counter = [0]


def _n() -> int:
    _counter[0] += 1
    return _counter[0]


def _p(
    source: str,
    title: str,
    *,
    url: str | None,
    company: str | None,
    location: str | None,
    text: str,
    day: float = 0,
    html_text: str | None = None,
    remote: str = "unknown",
    guid: str | None = None,
) -> Posting:
    when = _BASE + timedelta(days=day)
    n = _n()
    return Posting(
        source=source,
        dedup_key=guid or (f"url:{url}" if url else f"hash:{n}"),
        title=title,
        url=url,
        external_id=None,
        company=company,
        location=location,
        description=text,
        description_html=html_text,
        tags=(),
        posted_at=when,
        first_seen_at=when + timedelta(hours=3),
        job=JobDetails(remote=remote),
    )


def _html(text: str) -> str:
    return "".join(f"<p>{html.escape(part)}</p>" for part in text.split("\n\n"))


def _teaser(text: str, size: int = 300) -> str:
    return text[:size].rsplit(" ", 1)[0] + "…"


def _bulleted(text: str) -> str:
    """An aggregator's reformatting: sentences as bullet lines, headings upper-cased."""
    lines = [f"• {s.strip()}" for s in text.replace("\n\n", " ").split(". ") if s.strip()]
    return "\n".join(lines)


# --- job texts (invented) -------------------------------------------------------------------

NIMBUS_BE = (
    "Nimbus Freight moves refrigerated cargo for three thousand independent grocers. The backend "
    "team owns the dispatch engine that matches loads to trucks every ninety seconds, written in "
    "Go on Postgres and Kafka.\n\nYou will design the pricing service that quotes a lane in "
    "under two hundred milliseconds, own the on-call rotation for dispatch, and mentor two "
    "engineers who joined this year. You have shipped a service that handles money, you write "
    "careful migrations, and you like reading query plans.\n\n"
)
NIMBUS_FE = (
    "Nimbus Freight moves refrigerated cargo for three thousand independent grocers. The "
    "frontend team builds the dispatcher console in TypeScript and React, used all day by "
    "people who schedule trucks.\n\nYou will rebuild the load board so it stays fast with ten "
    "thousand rows, design keyboard flows for power users, and work with our one designer on a "
    "component library. You care about accessibility and you have profiled a slow render.\n\n"
)
KESTREL_DE = (
    "Kestrel Analytics builds forecasting software for regional energy utilities. As a data "
    "engineer you will own the pipelines that ingest smart meter readings from eleven "
    "utilities, about four billion rows a month, into our lakehouse on Spark and Iceberg.\n\n"
    "Your tasks: build and monitor ingestion jobs in Python and Airflow, model the meter data "
    "for the forecasting team, and cut the nightly batch from six hours to one. Your profile: "
    "three years with Spark, solid SQL, German or English at a working level.\n\n"
)
ORBITAL_PD = (
    "Orbital Loom makes scheduling software for community clinics. As a senior product "
    "designer you will own the patient intake flow end to end, from the first text message to "
    "the waiting room tablet.\n\nYou will run research sessions with front desk staff, turn "
    "them into flows and prototypes in Figma, and pair with two engineers to ship weekly. We "
    "are looking for six or more years of product design, a portfolio with shipped work in a "
    "regulated field, and comfort presenting to clinic directors.\n\n"
)
QUILL_PLAT = (
    "Quillpay runs payroll for small restaurants across twelve European countries. The platform "
    "group keeps our Kubernetes clusters, our Terraform estate and our CI fast and boring.\n\n"
    "As staff platform engineer you will set the direction for multi-region failover, replace "
    "our homegrown deploy tool with Argo, and define the service templates every team starts "
    "from. You have led infrastructure work across several teams and you can explain a trade "
    "off to a finance director.\n\n"
)
HARBOR_CSM = (
    "Harbor & Finch sells booking software to independent boutique hotels. As customer success "
    "manager you will look after a book of about sixty hotels in the UK, from onboarding to "
    "renewal.\n\nYou will run quarterly reviews with hotel owners, spot accounts at risk from "
    "usage data, and feed what guests and owners ask for back to product. Two years in a "
    "customer facing SaaS role and a calm phone manner matter more to us than a hospitality "
    "background.\n\n"
)
VELORA_ONC = (
    "Velora Health runs decentralised clinical trials for mid-sized drug developers. The "
    "clinical data analyst for our oncology programmes cleans, reconciles and reports on trial "
    "data from forty sites.\n\nYou will write edit checks in SAS and R, reconcile lab data "
    "against the electronic case report forms, and prepare the tables for interim analyses. "
    "Experience with CDISC standards and oncology endpoints such as progression free survival "
    "is expected.\n\n"
)
VELORA_CARD = (
    "Velora Health runs decentralised clinical trials for mid-sized drug developers. The "
    "clinical data analyst for our cardiology programmes cleans, reconciles and reports on "
    "trial data from thirty sites.\n\nYou will write edit checks in SAS and R, reconcile ECG "
    "and lab data against the electronic case report forms, and prepare the tables for data "
    "monitoring committees. Experience with CDISC standards and cardiovascular outcome trials "
    "is expected.\n\n"
)
BRIGHTWELL_AE = (
    "Brightwell Labs sells inventory planning software to manufacturers. As an account "
    "executive on the {seg} team you will own the full sales cycle for {who}, from first call "
    "to signed order form.\n\nYou will build your own pipeline with support from two sales "
    "development reps, run discovery and demos with operations leaders, and work with "
    "solutions engineers on proofs of concept. You have closed software deals of {size} and "
    "you forecast honestly.\n\n"
)
TIDE_DEVOPS = (
    "Tidewater Software builds marina management tools used at four hundred harbours. Our "
    "DevOps engineer keeps the fleet of small customer servers patched, monitored and backed "
    "up, and moves them step by step onto AWS.\n\nYou will write Ansible and Terraform, run our "
    "Grafana and Loki stack, and automate the restore drills we now do by hand. Linux depth "
    "and a habit of writing runbooks are what we look for.\n\n"
)
COPPER_SRE = (
    "Copperleaf Systems provides billing infrastructure for water utilities. Our SREs keep the "
    "meter-to-invoice pipeline running across two clouds and own the error budgets of six "
    "services.\n\n"
)
MARLOW_SRE = (
    "Marlow Dynamics builds telemetry software for wind farm operators. Our SREs run the "
    "ingestion clusters that take turbine sensor data every second and own incident response "
    "for the control room dashboards.\n\n"
)
PINE_INTERN = (
    "Pinecrest Robotics builds autonomous lawn mowers for golf courses. Interns on the software "
    "team spend twelve weeks this summer on a real project: last year interns shipped the "
    "obstacle map viewer and a simulator for wet grass.\n\nYou are pursuing a degree in "
    "computer science or a related field, graduating in 2027 or 2028, and you have written C++ "
    "or Python outside of class.\n\n"
)
PINE_NEWGRAD = (
    "Pinecrest Robotics builds autonomous lawn mowers for golf courses. New graduate engineers "
    "join the navigation team full time and rotate through perception, planning and the fleet "
    "backend in their first year.\n\nYou graduated or will graduate between December 2025 and "
    "June 2026 with a degree in computer science or robotics, and you have built something with "
    "C++ or ROS.\n\n"
)
FERN_MKT = (
    "Fernhill Bank is a savings bank for people who freelance. The marketing data analyst "
    "measures which campaigns bring in members who stay, builds the attribution model and "
    "reports weekly to the growth lead.\n\nYou know SQL and dbt well, you have run A/B tests on "
    "acquisition channels, and you can tell a cohort story in a single chart.\n\n"
)
FERN_FIN = (
    "Fernhill Bank is a savings bank for people who freelance. The finance data analyst builds "
    "the monthly close reporting, the deposit forecast and the regulatory returns we send to "
    "the supervisor.\n\nYou know SQL and dbt well, you have worked with a general ledger, and "
    "you are happy to explain a variance to the board's audit committee.\n\n"
)
GLIMMER_FE = (
    "Glimmerbyte makes an online shop builder for craft breweries. As frontend developer you "
    "build the storefront themes and the checkout in Vue 3 and TypeScript, together with two "
    "backend developers and a designer in our Vienna office.\n\nWe expect three years of "
    "frontend work, a feel for performance on slow phones, and German is a plus but not a "
    "must.\n\n"
)
SALT_ML = (
    "Saltmarsh AI builds flood risk models for insurers along the Atlantic coast. Machine "
    "learning engineers here take research models from our hydrologists and make them run "
    "every night on two million properties.\n\nYou will own feature pipelines in Python and "
    "Ray, serve gradient boosted and graph models behind an internal API, and set up the "
    "monitoring that catches drift after a storm season. Four years of shipping ML to "
    "production is the bar.\n\n"
)
LUMEN_FE = (
    "Lumenfold is a fully distributed company building a note app for research labs. As a "
    "senior frontend engineer you will own the editor, a collaborative rich text surface built "
    "on ProseMirror and CRDTs.\n\nYou have shipped a complex editor or canvas app, you debug "
    "performance in the browser profiler, and you write clearly because most of our work "
    "happens in writing.\n\n"
)
GRIT_FW = (
    "Gritstone Robotics designs inspection crawlers for oil pipelines. Our firmware engineers "
    "write the motor control and sensor fusion code that runs on the crawler's STM32 boards "
    "deep inside a pipe.\n\nYou know embedded C, RTOS scheduling and CAN bus, you are at home "
    "with an oscilloscope, and you want to see your code drive a robot through a bend.\n\n"
)
PALISADE_DS = (
    "Palisade Insurance writes renters insurance online in thirty states. Senior data "
    "scientists here own pricing models for one product line each and defend them to the "
    "state regulators.\n\nYou have built generalized linear models and gradient boosting for "
    "pricing or risk, you are fluent in Python and SQL, and you can write a filing memo an "
    "actuary will sign.\n\n"
)
CORVID_QA = (
    "Corvid Games makes cozy mobile puzzle games played by four million people a month. Our QA "
    "engineer automates the regression suite for our Unity titles and keeps releases to the app "
    "stores safe every two weeks.\n\nYou have automated tests for a game or a mobile app, you "
    "know Unity or a similar engine, and you write bug reports developers thank you for.\n\n"
)
PELLUCID_SUP = (
    "Pellucid makes a password manager for small accounting firms. Support engineers answer "
    "tickets that need real debugging: sync conflicts, SSO setups and browser extension "
    "quirks.\n\nYou have two years of technical support for a SaaS product, you can read a HAR "
    "file, and you write replies that calm people down.\n\n"
)
ASTER_PM = (
    "Asterwood builds procurement software for school districts. The product manager for "
    "approvals owns the purchase request flow used by teachers and business offices.\n\nYou "
    "will talk to district buyers every week, write the specs, and decide with engineering what "
    "ships each quarter. Three years of B2B product management is expected.\n\n"
)
ASTER_PMM = (
    "Asterwood builds procurement software for school districts. The product marketing manager "
    "writes the positioning, launch plans and sales materials for our approvals and budgeting "
    "products.\n\nYou will interview customers, equip the sales team for the back to school "
    "season, and run two launches a quarter. Three years of B2B product marketing is "
    "expected.\n\n"
)
BRAMBLE_ACC = (
    "Bramble & Oak is a family-owned furniture maker with a workshop in Hamburg. We are looking "
    "for an accountant who handles our monthly bookkeeping in DATEV, payroll preparation for "
    "forty employees and the annual statements together with our tax advisor.\n\nYou have "
    "completed training as a tax clerk or accountant and you have five years of practice.\n\n"
)
YARROW_IOS = (
    "Yarrow is a meditation app for shift workers, nurses and pilots. The iOS engineer builds "
    "our SwiftUI app, the watch companion and the offline audio library.\n\nYou have shipped "
    "at least two apps to the App Store, you know Combine and async/await, and you care about "
    "how an app behaves at three in the morning.\n\n"
)
YARROW_ANDROID = (
    "Yarrow is a meditation app for shift workers, nurses and pilots. The Android engineer "
    "builds our Kotlin app with Jetpack Compose, the Wear OS companion and the offline audio "
    "library.\n\nYou have shipped at least two apps to Google Play, you know coroutines and "
    "Room, and you care about how an app behaves at three in the morning.\n\n"
)
HALYARD_BE = (
    "Halyard Maritime schedules berths and cranes for mid-sized container ports. Backend "
    "engineers build the planning services in Kotlin on Postgres that terminal operators use "
    "around the clock.\n\nYou will build APIs for vessel arrival updates, tune the berth "
    "allocation solver, and join the on-call rotation. You have two years of backend work on "
    "the JVM.\n\n"
)


def _rok(word: str) -> str:
    return ROK_WORD.format(word=word, n=_n())


# --- the set ----------------------------------------------------------------------------------


def _nimbus() -> list[tuple[str, Posting]]:
    gh = "https://job-boards.greenhouse.io/nimbusfreight/jobs/"
    be, fe = NIMBUS_BE + EEO, NIMBUS_FE + EEO
    return [
        ("nimbus-be-sf", _p("nimbus-gh", "Software Engineer, Backend", url=f"{gh}5012345001",
            company="Nimbus Freight, Inc.", location="San Francisco, CA", text=be,
            html_text=_html(be))),
        ("nimbus-be-sf", _p("linkedin-alert", "Backend Software Engineer",
            url="https://www.linkedin.com/comm/jobs/view/4410000001/?trackingId=abc%3D%3D&refId=x1",
            company="Nimbus Freight", location="San Francisco Bay Area", text="", day=2)),
        ("nimbus-be-sf", _p("hn", "Backend Software Engineer",
            url="https://news.ycombinator.com/item?id=43000101", company="Nimbus Freight",
            location="San Francisco, CA", guid="guid:hn:43000101", day=1,
            text="Onsite, $160k-$190k + equity. " + NIMBUS_BE.replace("\n\n", " ")
            + "Apply: https://nimbusfreight.com/careers?gh_jid=5012345001&utm_source=hn")),
        ("nimbus-be-sf", _p("simplify", "Software Engineer - Backend",
            url="https://nimbusfreight.com/careers?gh_jid=5012345001&gh_src=simplify",
            company="Nimbus Freight", location="San Francisco, CA", text="", day=3)),
        ("nimbus-be-nyc", _p("nimbus-gh", "Software Engineer, Backend", url=f"{gh}5012345002",
            company="Nimbus Freight, Inc.", location="New York, NY", text=be,
            html_text=_html(be))),
        ("nimbus-be-nyc", _p("linkedin-alert", "Software Engineer, Backend",
            url="https://www.linkedin.com/comm/jobs/view/4410000002/?trackingId=def%3D%3D",
            company="Nimbus Freight", location="New York, United States", text="", day=2)),
        ("nimbus-sr-be", _p("nimbus-gh", "Senior Software Engineer, Backend",
            url=f"{gh}5012345003", company="Nimbus Freight, Inc.", location="San Francisco, CA",
            text=be.replace("mentor two engineers", "lead a pod of four engineers"),
            html_text=None)),
        ("nimbus-sr-be", _p("linkedin-alert", "Sr. Backend Software Engineer",
            url="https://www.linkedin.com/comm/jobs/view/4410000003/",
            company="Nimbus Freight", location="San Francisco, California, United States",
            text="", day=4)),
        ("nimbus-fe-sf", _p("nimbus-gh", "Software Engineer, Frontend", url=f"{gh}5012345004",
            company="Nimbus Freight, Inc.", location="San Francisco, CA", text=fe)),
        ("nimbus-fe-sf", _p("remotive-like", "Frontend Software Engineer",
            url="https://builtinsf.example/job/frontend-software-engineer/229911",
            company="Nimbus Freight", location="San Francisco, CA", text=_bulleted(fe), day=5)),
    ]  # fmt: skip


def _kestrel() -> list[tuple[str, Posting]]:
    rc = "https://kestrelanalytics.recruitee.com/o/"
    text = KESTREL_DE + EEO
    senior = text.replace(
        "three years with Spark", "six years with Spark and team lead experience"
    ).replace("As a data engineer", "As a senior data engineer")
    return [
        ("kestrel-de-muc", _p("kestrel-recruitee", "Data Engineer (m/w/d)",
            url=f"{rc}data-engineer-mwd", company="Kestrel Analytics GmbH",
            location="München, Bayern, Deutschland", text=text, html_text=_html(text))),
        ("kestrel-de-muc", _p("arbeitnow", "Data Engineer (m/w/d)",
            url="https://www.arbeitnow.com/jobs/companies/kestrel-analytics/data-engineer-munich-118822",
            company="Kestrel Analytics", location="Munich", text=_bulleted(text), day=1)),
        ("kestrel-de-muc", _p("linkedin-alert", "Data Engineer",
            url="https://www.linkedin.com/comm/jobs/view/4410000010/?refId=q&trk=eml",
            company="Kestrel Analytics GmbH", location="Munich, Bavaria, Germany", text="",
            day=3)),
        ("kestrel-de-ber", _p("kestrel-recruitee", "Data Engineer (m/w/d)",
            url=f"{rc}data-engineer-mwd-berlin", company="Kestrel Analytics GmbH",
            location="Berlin, Deutschland", text=text.replace("Python", "Python (Berlin office)"))),
        ("kestrel-de-ber", _p("arbeitnow", "Data Engineer (m/w/d)",
            url="https://www.arbeitnow.com/jobs/companies/kestrel-analytics/data-engineer-berlin-118823",
            company="Kestrel Analytics", location="Berlin", text=_bulleted(text), day=1)),
        ("kestrel-sde-muc", _p("kestrel-recruitee", "Senior Data Engineer (m/w/d)",
            url=f"{rc}senior-data-engineer-mwd", company="Kestrel Analytics GmbH",
            location="München, Bayern, Deutschland", text=senior)),
        ("kestrel-sde-muc", _p("linkedin-alert", "Senior Data Engineer (m/f/d)",
            url="https://www.linkedin.com/comm/jobs/view/4410000011/",
            company="Kestrel Analytics", location="Munich, Bavaria, Germany", text="", day=2)),
        ("kestrel-ws-muc", _p("kestrel-recruitee", "Werkstudent Data Engineering (m/w/d)",
            url=f"{rc}werkstudent-data-engineering", company="Kestrel Analytics GmbH",
            location="München", text="Als Werkstudent unterstützt du unser Data-Team zwanzig "
            "Stunden pro Woche beim Aufbau von Pipelines für Zählerdaten. Du studierst "
            "Informatik oder Mathematik und kennst Python und SQL aus Projekten.")),
    ]  # fmt: skip


def _orbital() -> list[tuple[str, Posting]]:
    lv = "https://jobs.lever.co/orbitalloom/"
    us, eu, jr = (
        "3f1a2b3c-1111-4a5b-9c8d-0e1f2a3b4c5d",
        "3f1a2b3c-2222-4a5b-9c8d-0e1f2a3b4c5d",
        "3f1a2b3c-3333-4a5b-9c8d-0e1f2a3b4c5d",
    )
    text = ORBITAL_PD + EEO
    mid = text.replace("senior product designer", "product designer").replace(
        "six or more years", "three or more years"
    )
    return [
        ("orbital-spd-us", _p("orbital-lever", "Sr. Product Designer", url=f"{lv}{us}",
            company="Orbital Loom", location="Remote - US", text=text, html_text=_html(text))),
        ("orbital-spd-us", _p("remoteok", "Senior Product Designer",
            url="https://remoteok.com/remote-jobs/remote-senior-product-designer-orbital-loom-1090001",
            company="Orbital Loom", location="United States", remote="yes", day=1,
            text=_teaser(ORBITAL_PD, 420) + "\n\n" + _rok("MAPLE"))),
        ("orbital-spd-us", _p("weworkremotely", "Senior Product Designer",
            url="https://weworkremotely.com/remote-jobs/orbital-loom-senior-product-designer",
            company="Orbital Loom", location="USA Only", remote="yes", day=2,
            text=_bulleted(ORBITAL_PD))),
        ("orbital-spd-us", _p("mastodon", "🎨 We're hiring a Senior Product Designer (Remote, US)!",
            url="https://hachyderm.example/@orbitalloom/112233445566",
            company="Orbital Loom", location=None, day=2,
            text="🎨 We're hiring a Senior Product Designer (Remote, US)! Own patient intake for "
            f"community clinics. {lv}{us}/apply?lever-source=mastodon #hiring #design #fedihire")),
        ("orbital-spd-eu", _p("orbital-lever", "Sr. Product Designer", url=f"{lv}{eu}",
            company="Orbital Loom", location="Remote - Europe", text=text, html_text=_html(text))),
        ("orbital-spd-eu", _p("remoteok", "Senior Product Designer",
            url="https://remoteok.com/remote-jobs/remote-senior-product-designer-orbital-loom-1090002",
            company="Orbital Loom", location="Europe", remote="yes", day=1,
            text=_teaser(ORBITAL_PD, 420) + "\n\n" + _rok("BIRCH"))),
        ("orbital-pd-us", _p("orbital-lever", "Product Designer", url=f"{lv}{jr}",
            company="Orbital Loom", location="Remote - US", text=mid)),
        ("orbital-pd-us", _p("weworkremotely", "Product Designer",
            url="https://weworkremotely.com/remote-jobs/orbital-loom-product-designer",
            company="Orbital Loom", location="USA Only", remote="yes", day=3,
            text=_bulleted(mid))),
    ]  # fmt: skip


def _quill() -> list[tuple[str, Posting]]:
    ab = "https://jobs.ashbyhq.com/quillpay/8c2e4f60-aaaa-4b1c-8d2e-3f4a5b6c7d8e"
    text = QUILL_PLAT + BENEFITS + " " + EEO
    return [
        ("quill-staff-plat", _p("quill-ashby", "Staff Platform Engineer", url=ab,
            company="Quillpay", location="Remote (EU)", text=text, html_text=_html(text))),
        ("quill-staff-plat", _p("remotive", "Staff Platform Engineer",
            url="https://remotive.com/remote-jobs/devops/staff-platform-engineer-2011001",
            company="Quillpay B.V.", location="Europe", remote="yes", day=1,
            text=QUILL_PLAT.replace("\n\n", "\n") + BENEFITS)),
        ("quill-staff-plat", _p("bluesky",
            "Quillpay is hiring a Staff Platform Engineer! Remote in Europe",
            url="https://bsky.app/profile/mira-okonkwo.bsky.social/post/3kq2w1e5rtz2a",
            company="Mira Okonkwo", location=None, day=2,
            text="Quillpay is hiring a Staff Platform Engineer! Remote in Europe. Kubernetes, "
            f"Terraform, Argo. My team, DM me with questions. {ab}?utm_source=bsky")),
        ("quill-plat", _p("quill-ashby", "Platform Engineer",
            url="https://jobs.ashbyhq.com/quillpay/8c2e4f60-bbbb-4b1c-8d2e-3f4a5b6c7d8e",
            company="Quillpay", location="Remote (EU)",
            text=text.replace("As staff platform engineer you will set the direction for",
                              "As platform engineer you will build"))),
    ]  # fmt: skip


def _harbor() -> list[tuple[str, Posting]]:
    wk = "https://apply.workable.com/harbor-and-finch/j/"
    text = HARBOR_CSM + EEO
    return [
        ("harbor-csm-ldn", _p("harbor-workable", "Customer Success Manager", url=f"{wk}7A1B2C3D4E/",
            company="Harbor & Finch Ltd", location="London, England, United Kingdom",
            text=text, html_text=_html(text))),
        ("harbor-csm-ldn", _p("linkedin-alert", "Customer Success Manager",
            url="https://www.linkedin.com/comm/jobs/view/4410000020/?trackingId=zz",
            company="Harbor & Finch", location="London, England, United Kingdom", text="",
            day=1)),
        ("harbor-csm-ldn", _p("adzuna", "Customer Success Manager",
            url="https://www.adzuna.co.uk/jobs/details/5100000001?utm_medium=api&utm_source=x",
            company="Harbor and Finch Limited", location="London, UK", day=2,
            text=_teaser(HARBOR_CSM))),
        ("harbor-csm-man", _p("harbor-workable", "Customer Success Manager", url=f"{wk}7A1B2C3D4F/",
            company="Harbor & Finch Ltd", location="Manchester, England, United Kingdom",
            text=text.replace("in the UK", "in the north of England"))),
        ("harbor-csm-man", _p("adzuna", "Customer Success Manager",
            url="https://www.adzuna.co.uk/jobs/details/5100000002?utm_medium=api",
            company="Harbor and Finch Limited", location="Manchester, UK", day=2,
            text=_teaser(HARBOR_CSM.replace("in the UK", "in the north of England")))),
        ("harbor-scsm-ldn", _p("harbor-workable", "Senior Customer Success Manager",
            url=f"{wk}7A1B2C3D50/", company="Harbor & Finch Ltd",
            location="London, England, United Kingdom",
            text=text.replace("about sixty hotels", "our forty largest hotel groups"))),
    ]  # fmt: skip


def _velora() -> list[tuple[str, Posting]]:
    sr = "https://jobs.smartrecruiters.com/VeloraHealth/"
    return [
        ("velora-onc", _p("velora-sr", "Clinical Data Analyst, Oncology",
            url=f"{sr}744000012345678-clinical-data-analyst-oncology",
            company="Velora Health Corp.", location="Boston, MA", text=VELORA_ONC + EEO)),
        ("velora-onc", _p("linkedin-alert", "Clinical Data Analyst, Oncology",
            url="https://www.linkedin.com/jobs/view/clinical-data-analyst-oncology-at-velora-health-4410000030",
            company="Velora Health", location="Boston, MA", text="", day=1)),
        ("velora-onc", _p("indeed-alert", "Clinical Data Analyst - Oncology",
            url="https://www.indeed.com/viewjob?jk=a1b2c3d4e5f60718&from=jobalert",
            company="Velora Health", location="Boston, MA 02110", day=2,
            text=_teaser(VELORA_ONC, 250))),
        ("velora-card", _p("velora-sr", "Clinical Data Analyst, Cardiology",
            url=f"{sr}744000012345699-clinical-data-analyst-cardiology",
            company="Velora Health Corp.", location="Boston, MA", text=VELORA_CARD + EEO)),
        ("velora-card", _p("linkedin-alert", "Clinical Data Analyst, Cardiology",
            url="https://www.linkedin.com/comm/jobs/view/4410000031/",
            company="Velora Health", location="Boston, MA", text="", day=1)),
    ]  # fmt: skip


def _brightwell() -> list[tuple[str, Posting]]:
    gh = "https://boards.greenhouse.io/brightwelllabs/jobs/"
    segs = [
        ("Mid-Market", "manufacturers with two hundred to a thousand staff",
            "fifty thousand dollars"),
        ("Enterprise", "manufacturers with several plants", "half a million dollars"),
        ("SMB", "workshops with under two hundred staff", "ten to thirty thousand dollars"),
        ("Public Sector", "state-owned utilities and agencies", "two hundred thousand dollars"),
        ("Strategic", "our twenty largest named accounts", "a million dollars"),
    ]  # fmt: skip
    out: list[tuple[str, Posting]] = []
    for i, (seg, who, size) in enumerate(segs):
        text = BRIGHTWELL_AE.format(seg=seg.lower(), who=who, size=size) + BENEFITS + " " + EEO
        out.append((f"bw-ae-{seg}", _p("brightwell-gh", f"Account Executive, {seg}",
            url=f"{gh}60100{i:05d}?gh_src=careers", company="Brightwell Labs",
            location="Austin, TX", text=text, html_text=_html(text))))  # fmt: skip
    out += [
        ("bw-ae-Enterprise", _p("linkedin-alert", "Account Executive, Enterprise",
            url="https://www.linkedin.com/comm/jobs/view/4410000040/?trackingId=aa",
            company="Brightwell Labs", location="Austin, Texas, United States", text="", day=1)),
        ("bw-ae-Enterprise", _p("builtin", "Enterprise Account Executive",
            url="https://builtin.example/job/enterprise-account-executive/330001",
            company="Brightwell Labs, Inc.", location="Austin, TX", day=2,
            text=_bulleted(BRIGHTWELL_AE.format(seg="enterprise",
                who="manufacturers with several plants", size="half a million dollars")))),
        ("bw-ae-SMB", _p("linkedin-alert", "SMB Account Executive",
            url="https://www.linkedin.com/comm/jobs/view/4410000041/",
            company="Brightwell Labs", location="Austin, TX", text="", day=3)),
        ("bw-sdr", _p("brightwell-gh", "Sales Development Representative",
            url=f"{gh}6010000099", company="Brightwell Labs", location="Austin, TX",
            text=BRIGHTWELL_AE.format(seg="sales development", who="outbound prospects",
                size="any size") + BENEFITS)),
    ]  # fmt: skip
    return out


def _tidewater() -> list[tuple[str, Posting]]:
    gh = "https://job-boards.greenhouse.io/tidewatersoftware/jobs/"
    text = TIDE_DEVOPS + BENEFITS + " " + EEO
    rok = TIDE_DEVOPS + "\n\n" + BENEFITS
    return [
        ("tide-devops-jan", _p("tide-gh", "DevOps Engineer", url=f"{gh}4400000101",
            company="Tidewater Software", location="Remote (US)", text=text, day=-60)),
        ("tide-devops-jan", _p("remoteok", "DevOps Engineer",
            url="https://remoteok.com/remote-jobs/remote-devops-engineer-tidewater-software-1090101",
            company="Tidewater Software", location="United States", remote="yes", day=-59,
            text=rok + "\n\n" + _rok("HARBOUR"))),
        ("tide-devops-apr", _p("tide-gh", "DevOps Engineer", url=f"{gh}4400000188",
            company="Tidewater Software", location="Remote (US)", text=text, day=35)),
        ("tide-devops-apr", _p("remoteok", "DevOps Engineer",
            url="https://remoteok.com/remote-jobs/remote-devops-engineer-tidewater-software-1090188",
            company="Tidewater Software", location="United States", remote="yes", day=36,
            text=rok + "\n\n" + _rok("ANCHOR"))),
    ]  # fmt: skip


def _sre_pair() -> list[tuple[str, Posting]]:
    shared = (
        "You will be on call one week in six, write postmortems without blame, and automate "
        "toil away. We run Kubernetes, Terraform, Prometheus and PagerDuty. You have five years "
        "of operating production systems and you can code in Go or Python.\n\n"
    )
    copper = COPPER_SRE + shared + BENEFITS + " " + EEO
    marlow = MARLOW_SRE + shared + BENEFITS + " " + EEO
    return [
        ("copper-sre", _p("copper-lever", "Site Reliability Engineer",
            url="https://jobs.lever.co/copperleaf/5a6b7c8d-0001-4e5f-8a9b-0c1d2e3f4a5b",
            company="Copperleaf Systems", location="Remote - US", text=copper)),
        ("copper-sre", _p("remoteok", "Site Reliability Engineer",
            url="https://remoteok.com/remote-jobs/remote-site-reliability-engineer-copperleaf-1090201",
            company="Copperleaf Systems", location="US", remote="yes", day=1,
            text=COPPER_SRE + shared + BENEFITS + "\n\n" + _rok("COPPER"))),
        ("marlow-sre", _p("marlow-ashby", "Site Reliability Engineer",
            url="https://jobs.ashbyhq.com/marlowdynamics/1e2d3c4b-0002-4e5f-8a9b-0c1d2e3f4a5b",
            company="Marlow Dynamics", location="Remote - US", text=marlow, day=1)),
        ("marlow-sre", _p("remotive", "Site Reliability Engineer (SRE)",
            url="https://remotive.com/remote-jobs/devops/site-reliability-engineer-2011002",
            company="Marlow Dynamics", location="USA", remote="yes", day=2,
            text=MARLOW_SRE + shared + BENEFITS)),
        ("sre-hn-anon", _p("hn", "SRE",
            url="https://news.ycombinator.com/item?id=43000199", company="Fathom Ridge",
            location="Remote (US)", guid="guid:hn:43000199", day=2,
            text="Fathom Ridge builds analytics for rural broadband co-ops. " + shared
            + BENEFITS)),
    ]  # fmt: skip


def _pinecrest() -> list[tuple[str, Posting]]:
    gh = "https://boards.greenhouse.io/pinecrestrobotics/jobs/"
    return [
        ("pine-intern", _p("pine-gh", "Software Engineering Intern - Summer 2026",
            url=f"{gh}7700000001", company="Pinecrest Robotics", location="Pittsburgh, PA",
            text=PINE_INTERN + EEO)),
        ("pine-intern", _p("simplify", "Software Engineering Intern",
            url="https://pinecrestrobotics.com/careers/?gh_jid=7700000001&utm_source=Simplify",
            company="Pinecrest Robotics", location="Pittsburgh, PA", text="", day=1)),
        ("pine-intern", _p("linkedin-alert", "SWE Intern (Summer 2026)",
            url="https://www.linkedin.com/comm/jobs/view/4410000050/?trackingId=pp",
            company="Pinecrest Robotics", location="Pittsburgh, PA", text="", day=2)),
        ("pine-newgrad", _p("pine-gh", "Software Engineer, New Grad (2026)",
            url=f"{gh}7700000002", company="Pinecrest Robotics", location="Pittsburgh, PA",
            text=PINE_NEWGRAD + EEO)),
        ("pine-newgrad", _p("simplify", "Software Engineer - New Grad",
            url="https://pinecrestrobotics.com/careers/?gh_jid=7700000002",
            company="Pinecrest Robotics", location="Pittsburgh, PA", text="", day=1)),
        ("pine-newgrad", _p("linkedin-alert", "New Grad Software Engineer",
            url="https://www.linkedin.com/comm/jobs/view/4410000051/",
            company="Pinecrest Robotics", location="Pittsburgh, PA", text="", day=2)),
    ]  # fmt: skip


def _fernhill() -> list[tuple[str, Posting]]:
    lv = "https://jobs.lever.co/fernhillbank/"
    return [
        ("fern-mkt", _p("fern-lever", "Data Analyst, Marketing",
            url=f"{lv}0b1c2d3e-0001-4f5a-8b9c-1d2e3f4a5b6c", company="Fernhill Bank",
            location="London", text=FERN_MKT + EEO)),
        ("fern-mkt", _p("linkedin-alert", "Data Analyst - Marketing",
            url="https://www.linkedin.com/comm/jobs/view/4410000060/",
            company="Fernhill Bank plc", location="London, England, United Kingdom", text="",
            day=1)),
        ("fern-mkt", _p("otta", "Marketing Data Analyst",
            url="https://app.otta.example/jobs/fh-mkt-77", company="Fernhill Bank",
            location="London, UK", text=_teaser(FERN_MKT, 320), day=2)),
        ("fern-fin", _p("fern-lever", "Data Analyst, Finance",
            url=f"{lv}0b1c2d3e-0002-4f5a-8b9c-1d2e3f4a5b6c", company="Fernhill Bank",
            location="London", text=FERN_FIN + EEO)),
        ("fern-fin", _p("linkedin-alert", "Data Analyst, Finance",
            url="https://www.linkedin.com/comm/jobs/view/4410000061/",
            company="Fernhill Bank", location="London, England, United Kingdom", text="",
            day=1)),
    ]  # fmt: skip


def _glimmer() -> list[tuple[str, Posting]]:
    return [
        ("glimmer-fe", _p("glimmer-workable", "Frontend Developer (m/w/d)",
            url="https://apply.workable.com/glimmerbyte/j/C0FFEE1234/",
            company="Glimmerbyte GmbH", location="Wien, Austria", text=GLIMMER_FE + EEO)),
        ("glimmer-fe", _p("mastodon",
            "Wir stellen ein! Frontend Developer at Glimmerbyte (Vienna) 🍺",
            url="https://wien.example/@lenavogt/113300011122", company="Lena Vogt",
            location=None, day=1,
            text="Wir stellen ein! Frontend Developer at Glimmerbyte (Vienna) 🍺 Vue 3, "
            "TypeScript, online shops for craft breweries. Boost appreciated! #hiring #vuejs")),
        ("glimmer-fe", _p("linkedin-alert", "Front-end Developer",
            url="https://www.linkedin.com/comm/jobs/view/4410000070/?refId=r",
            company="Glimmerbyte", location="Vienna, Vienna, Austria", text="", day=2)),
        ("glimmer-fe", _p("karriere-at", "Frontend Developer (w/m/d)",
            url="https://www.karriere.example/jobs/7712345",
            company="Glimmerbyte GmbH", location="Wien", day=2,
            text=_bulleted(GLIMMER_FE))),
    ]  # fmt: skip


def _saltmarsh() -> list[tuple[str, Posting]]:
    ab = "https://jobs.ashbyhq.com/saltmarsh/0a9b8c7d-1234-4e5f-a6b7-c8d9e0f1a2b3"
    return [
        ("salt-ml", _p("salt-ashby", "Machine Learning Engineer", url=ab,
            company="Saltmarsh AI", location="New York City; Remote - US",
            text=SALT_ML + BENEFITS + " " + EEO)),
        ("salt-ml", _p("hn", "ML Engineer",
            url="https://news.ycombinator.com/item?id=43000301", company="Saltmarsh AI",
            location=None, remote="yes", guid="guid:hn:43000301", day=1,
            text="NYC or Remote (US) | Full-time | $170-210k + equity\n\n" + _teaser(SALT_ML, 500)
            + "\n\nEmail jobs@saltmarsh.example with 'HN' in the subject.")),
        ("salt-ml", _p("linkedin-alert", "Machine Learning Engineer",
            url="https://www.linkedin.com/comm/jobs/view/4410000080/?trackingId=ml",
            company="Saltmarsh AI", location="New York, NY", text="", day=3)),
        ("salt-sml", _p("salt-ashby", "Senior Machine Learning Engineer",
            url="https://jobs.ashbyhq.com/saltmarsh/0a9b8c7d-5678-4e5f-a6b7-c8d9e0f1a2b3",
            company="Saltmarsh AI", location="New York City; Remote - US",
            text=SALT_ML.replace("Four years", "Seven years") + BENEFITS)),
    ]  # fmt: skip


def _lumenfold() -> list[tuple[str, Posting]]:
    return [
        ("lumen-sfe", _p("lumen-gh", "Senior Front-End Engineer",
            url="https://job-boards.greenhouse.io/lumenfold/jobs/8800000001",
            company="Lumenfold", location="Remote", text=LUMEN_FE + EEO)),
        ("lumen-sfe", _p("remoteok", "Sr. Frontend Eng.",
            url="https://remoteok.com/remote-jobs/remote-sr-frontend-eng-lumenfold-1090301",
            company="lumenfold", location="Worldwide", remote="yes", day=1,
            text=LUMEN_FE + _rok("QUILL"))),
        ("lumen-sfe", _p("weworkremotely", "Lumenfold: Senior Frontend Engineer",
            url="https://weworkremotely.com/remote-jobs/lumenfold-senior-frontend-engineer",
            company=None, location="Anywhere in the World", remote="yes", day=2,
            text=_teaser(LUMEN_FE, 350))),
        ("lumen-fe", _p("lumen-gh", "Front-End Engineer",
            url="https://job-boards.greenhouse.io/lumenfold/jobs/8800000002",
            company="Lumenfold", location="Remote",
            text=LUMEN_FE.replace("As a senior frontend", "As a frontend") + EEO)),
    ]  # fmt: skip


def _gritstone() -> list[tuple[str, Posting]]:
    return [
        ("grit-fw", _p("grit-workable", "Firmware Engineer",
            url="https://gritstonerobotics.workable.com/j/9F8E7D6C5B",
            company="Gritstone Robotics, Inc.", location="Houston, TX", text=GRIT_FW + EEO)),
        ("grit-fw", _p("linkedin-alert", "Firmware Engineer",
            url="https://www.linkedin.com/comm/jobs/view/4410000090/",
            company="GRITSTONE ROBOTICS", location="Houston, TX", text="", day=1)),
        ("grit-fw", _p("hn", "Firmware Engineer",
            url="https://news.ycombinator.com/item?id=43000401", company="gritstonerobotics.io",
            location="Houston, TX", guid="guid:hn:43000401", day=2,
            text="Onsite. " + GRIT_FW.replace("\n\n", " ") + "Apply at our site.")),
        ("grit-fw-sr", _p("grit-workable", "Senior Firmware Engineer",
            url="https://gritstonerobotics.workable.com/j/9F8E7D6C5C",
            company="Gritstone Robotics, Inc.", location="Houston, TX", text=GRIT_FW)),
    ]  # fmt: skip


def _palisade() -> list[tuple[str, Posting]]:
    sr = "https://jobs.smartrecruiters.com/PalisadeInsurance/744000099887766-senior-data-scientist"
    return [
        ("pal-sds", _p("pal-sr", "Senior Data Scientist", url=sr,
            company="Palisade Insurance Company", location="Remote - US",
            text=PALISADE_DS + BENEFITS + " " + EEO)),
        ("pal-sds", _p("reddit",
            "[Hiring] Senior Data Scientist - Remote (US) at Palisade Insurance",
            url="https://www.reddit.com/r/forhire/comments/1abcde/hiring_senior_data_scientist/",
            company="u/throwaway_recruiter_22", location=None, day=1,
            text="Palisade Insurance is looking for a senior data scientist for pricing, remote "
            "in the US. Details and apply: " + sr + "?trid=reddit")),
        ("pal-sds", _p("remotive", "Senior Data Scientist",
            url="https://remotive.com/remote-jobs/data/senior-data-scientist-2011003",
            company="Palisade Insurance", location="USA", remote="yes", day=2,
            text=PALISADE_DS.replace("\n\n", "\n") + BENEFITS)),
        ("pal-ds", _p("pal-sr", "Data Scientist",
            url="https://jobs.smartrecruiters.com/PalisadeInsurance/744000099887700-data-scientist",
            company="Palisade Insurance Company", location="Remote - US",
            text=PALISADE_DS.replace("Senior data scientists", "Data scientists") + BENEFITS)),
    ]  # fmt: skip


def _corvid() -> list[tuple[str, Posting]]:
    return [
        ("corvid-qa", _p("corvid-recruitee", "QA Engineer",
            url="https://corvidgames.recruitee.com/o/qa-engineer-lisbon",
            company="Corvid Games, Lda.", location="Lisboa, Portugal", text=CORVID_QA + EEO)),
        ("corvid-qa", _p("linkedin-alert", "Quality Assurance Engineer",
            url="https://www.linkedin.com/comm/jobs/view/4410000100/",
            company="Corvid Games", location="Lisbon, Lisbon, Portugal", text="", day=1)),
        ("corvid-qa", _p("landing", "QA Engineer (Unity)",
            url="https://landing.example/at/corvid-games/jobs/qa-engineer-unity",
            company="Corvid Games", location="Lisbon", day=2, text=_bulleted(CORVID_QA))),
        ("corvid-qa-porto", _p("corvid-recruitee", "QA Engineer",
            url="https://corvidgames.recruitee.com/o/qa-engineer-porto",
            company="Corvid Games, Lda.", location="Porto, Portugal", text=CORVID_QA + EEO)),
    ]  # fmt: skip


def _pellucid() -> list[tuple[str, Posting]]:
    lv = "https://jobs.lever.co/pellucid/"
    text = PELLUCID_SUP + EEO
    return [
        ("pel-sup-us", _p("pel-lever", "Support Engineer",
            url=f"{lv}1a2b3c4d-0001-4e5f-9a8b-7c6d5e4f3a2b",
            company="Pellucid", location="Remote (US)", text=text)),
        ("pel-sup-us", _p("remotive", "Support Engineer",
            url="https://remotive.com/remote-jobs/customer-support/support-engineer-2011004",
            company="Pellucid", location="USA", remote="yes", day=1, text=PELLUCID_SUP)),
        ("pel-sup-ca", _p("pel-lever", "Support Engineer",
            url=f"{lv}1a2b3c4d-0002-4e5f-9a8b-7c6d5e4f3a2b",
            company="Pellucid", location="Remote (Canada)", text=text)),
        ("pel-sup-ca", _p("remotive", "Support Engineer",
            url="https://remotive.com/remote-jobs/customer-support/support-engineer-2011005",
            company="Pellucid", location="Canada", remote="yes", day=1, text=PELLUCID_SUP)),
    ]  # fmt: skip


def _asterwood() -> list[tuple[str, Posting]]:
    gh = "https://job-boards.greenhouse.io/asterwood/jobs/"
    return [
        ("aster-pm", _p("aster-gh", "Product Manager, Approvals", url=f"{gh}9900000001",
            company="Asterwood", location="Denver, CO", text=ASTER_PM + BENEFITS + " " + EEO)),
        ("aster-pm", _p("linkedin-alert", "Product Manager - Approvals",
            url="https://www.linkedin.com/comm/jobs/view/4410000110/",
            company="Asterwood Inc", location="Denver, CO", text="", day=1)),
        ("aster-pmm", _p("aster-gh", "Product Marketing Manager", url=f"{gh}9900000002",
            company="Asterwood", location="Denver, CO", text=ASTER_PMM + BENEFITS + " " + EEO)),
        ("aster-pmm", _p("linkedin-alert", "Product Marketing Manager",
            url="https://www.linkedin.com/comm/jobs/view/4410000111/",
            company="Asterwood", location="Denver, Colorado, United States", text="", day=2)),
    ]  # fmt: skip


def _bramble() -> list[tuple[str, Posting]]:
    return [
        ("bramble-acc", _p("bramble-site", "Buchhalter (m/w/d)",
            url="https://brambleandoak.example/karriere/buchhalter",
            company="Bramble & Oak GmbH & Co. KG", location="Hamburg", text=BRAMBLE_ACC)),
        ("bramble-acc", _p("arbeitnow", "Buchhalter (m/w/d)",
            url="https://www.arbeitnow.com/jobs/companies/bramble-oak/buchhalter-hamburg-118900",
            company="Bramble & Oak", location="Hamburg, Germany", day=1,
            text=_bulleted(BRAMBLE_ACC))),
        ("bramble-acc", _p("linkedin-alert", "Buchhalter (m/w/d)",
            url="https://www.linkedin.com/comm/jobs/view/4410000120/",
            company="Bramble and Oak", location="Hamburg, Germany", text="", day=2)),
    ]  # fmt: skip


def _yarrow() -> list[tuple[str, Posting]]:
    ab = "https://jobs.ashbyhq.com/yarrow/"
    return [
        ("yarrow-ios", _p("yarrow-ashby", "iOS Engineer",
            url=f"{ab}77777777-0001-4aaa-8bbb-cccccccccccc",
            company="Yarrow", location="Remote (Worldwide)",
                text=YARROW_IOS + BENEFITS + " " + EEO)),
        ("yarrow-ios", _p("remoteok", "iOS Engineer",
            url="https://remoteok.com/remote-jobs/remote-ios-engineer-yarrow-1090401",
            company="Yarrow", location="Worldwide", remote="yes", day=1,
            text=YARROW_IOS + BENEFITS + "\n\n" + _rok("LOTUS"))),
        ("yarrow-ios", _p("mastodon", "📱 Yarrow is hiring an iOS Engineer, remote anywhere",
            url="https://mastodon.example/@yarrowapp/113400022233", company="Yarrow 🧘",
            location=None, day=1,
            text="📱 Yarrow is hiring an iOS Engineer, remote anywhere. SwiftUI, watchOS, "
            "offline audio for people on night shifts. https://jobs.ashbyhq.com/yarrow/"
            "77777777-0001-4aaa-8bbb-cccccccccccc #hiring #iosdev")),
        ("yarrow-android", _p("yarrow-ashby", "Android Engineer",
            url=f"{ab}77777777-0002-4aaa-8bbb-cccccccccccc",
            company="Yarrow", location="Remote (Worldwide)",
            text=YARROW_ANDROID + BENEFITS + " " + EEO)),
        ("yarrow-android", _p("remoteok", "Android Engineer",
            url="https://remoteok.com/remote-jobs/remote-android-engineer-yarrow-1090402",
            company="Yarrow", location="Worldwide", remote="yes", day=1,
            text=YARROW_ANDROID + BENEFITS + "\n\n" + _rok("FERN"))),
    ]  # fmt: skip


def _halyard() -> list[tuple[str, Posting]]:
    gh = "https://job-boards.greenhouse.io/halyardmaritime/jobs/"
    two = HALYARD_BE + EEO
    three = two.replace("two years", "five years").replace("You will build", "You will lead")
    return [
        ("halyard-be2", _p("halyard-gh", "Backend Engineer II", url=f"{gh}3300000001",
            company="Halyard Maritime", location="Seattle, WA", text=two)),
        ("halyard-be2", _p("linkedin-alert", "Backend Engineer 2",
            url="https://www.linkedin.com/comm/jobs/view/4410000150/",
            company="Halyard Maritime", location="Seattle, WA", text="", day=1)),
        ("halyard-be2", _p("mastodon", "We're hiring! Backend Engineer II in Seattle ⚓",
            url="https://fosstodon.example/@halyard/113600044455", company="Halyard Maritime",
            location=None, day=2,
            text="We're hiring! Backend Engineer II in Seattle ⚓ Port logistics, Kotlin, "
            "Postgres. #hiring #seattle")),
        ("halyard-be3", _p("halyard-gh", "Backend Engineer III", url=f"{gh}3300000002",
            company="Halyard Maritime", location="Seattle, WA", text=three)),
        ("halyard-be3", _p("linkedin-alert", "Backend Engineer III",
            url="https://www.linkedin.com/comm/jobs/view/4410000151/",
            company="Halyard Maritime", location="Seattle, Washington, United States", text="",
            day=1)),
    ]  # fmt: skip


def _singletons() -> list[tuple[str, Posting]]:
    """Jobs seen once, some sharing a title and place with the clusters above."""
    return [
        ("solo-sre-otter", _p("remoteok", "Site Reliability Engineer",
            url="https://remoteok.com/remote-jobs/remote-site-reliability-engineer-otterline-1090501",
            company="Otterline", location="United States", remote="yes", day=3,
            text="Otterline runs a booking platform for dog groomers. You will own our two "
            "Kubernetes clusters and the database failover drills. " + BENEFITS + " "
            + _rok("OTTER"))),
        ("solo-csm-wren", _p("linkedin-alert", "Customer Success Manager",
            url="https://www.linkedin.com/comm/jobs/view/4410000130/",
            company="Wrenfield Software", location="London, England, United Kingdom", text="",
            day=1)),
        ("solo-de-muc", _p("arbeitnow", "Data Engineer (m/w/d)",
            url="https://www.arbeitnow.com/jobs/companies/isarwerk/data-engineer-munich-118950",
            company="Isarwerk Mobility", location="München", day=2,
            text="Isarwerk Mobility betreibt E-Scooter in sechs Städten. Als Data Engineer baust "
            "du die Pipelines für Fahrzeugtelemetrie in Python und dbt auf Snowflake.")),
        ("solo-pd-hn", _p("hn", "Senior Product Designer",
            url="https://news.ycombinator.com/item?id=43000501", company="Tallgrass Health",
            location="Remote (US)", guid="guid:hn:43000501", day=2,
            text="Tallgrass Health builds home dialysis scheduling. First design hire, work with "
            "the founders on the nurse app and the patient portal. Figma, research, shipping.")),
        ("solo-ml-toot", _p("mastodon", "We're hiring a Machine Learning Engineer in NYC!",
            url="https://mastodon.example/@deepkelp/113500033344", company="Deep Kelp Labs",
            location=None, day=2,
            text="We're hiring a Machine Learning Engineer in NYC! Kelp farm yield forecasting, "
            "PyTorch, satellite imagery. #hiring #ml")),
        ("solo-fw-sim", _p("simplify", "Firmware Engineer Intern",
            url="https://jobs.lever.co/gritstonerobotics/99999999-0001-4aaa-8bbb-cccccccccccc",
            company="Gritstone Robotics", location="Houston, TX", text="", day=1)),
        ("solo-ios-bsky", _p("bluesky",
            "Looking for an iOS Engineer for our tiny studio, remote EU",
            url="https://bsky.app/profile/pixelmoth.bsky.social/post/3kr5t6y7u8i9o",
            company="Pixelmoth Studio", location=None, day=1,
            text="Looking for an iOS Engineer for our tiny studio, remote EU. We make a "
            "birdsong identification app. SwiftUI, CoreML. DM me.")),
        ("solo-ae-austin", _p("linkedin-alert", "Account Executive, Enterprise",
            url="https://www.linkedin.com/comm/jobs/view/4410000140/",
            company="Longhorn Ledger", location="Austin, TX", text="", day=1)),
    ]  # fmt: skip


def heldout_postings() -> list[tuple[str, Posting]]:
    """(cluster label, posting) pairs: postings with one label are one job."""
    _counter[0] = 0
    groups = (
        _nimbus, _kestrel, _orbital, _quill, _harbor, _velora, _brightwell, _tidewater,
        _sre_pair, _pinecrest, _fernhill, _glimmer, _saltmarsh, _lumenfold, _gritstone,
        _palisade, _corvid, _pellucid, _asterwood, _bramble, _yarrow, _halyard, _singletons,
    )  # fmt: skip
    return [item for group in groups for item in group()]
