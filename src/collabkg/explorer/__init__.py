"""View models for the explorer: lists, profiles, evidence, result tables, network, charts.

Everything here is plain Python over :class:`collabkg.graph.KnowledgeGraph` (no Streamlit),
so the explorer's pages stay thin and this logic is tested directly. Nothing returned for
display carries an IRI except in fields named ``iri`` (used to build links and downloads).

One module per job:

- ``common``    names for people, short forms (CURIEs) in URLs, plain text
- ``index``     the index read once per graph: entities, labels, sources, evidence
- ``lists``     the Collaborations and Organisations lists and their filters
- ``profiles``  a profile per collaboration or organisation
- ``tables``    canned-query answers by label, table layout, parameter choices
- ``charts``    counts and chart data (home page; a question's chart from its metadata)
- ``network``   the network's nodes and links, filtered and capped
- ``drawing``   the network drawn as SVG on the server, its filter form, key and address
- ``forms``     a question's choices as one HTML form, and their values from the address
- ``style``     colours of the network drawings
- ``sources``   a page per source: the facts that cite it, quotations in their passage
- ``search``    one search across organisations, collaborations, places, concepts, quotations
"""

from __future__ import annotations

from collabkg.explorer.charts import (
    ChartData,
    answer_count,
    chart_data,
    cocreation_by_structure_type,
    collaborations_by_structure_type,
    home_counts,
    observed_matrix,
    organisations_by_sector,
)
from collabkg.explorer.common import (
    COCREATION_KINDS,
    LINK_DISPLAY_REGEX,
    NONE_RECORDED,
    PAGE_OF_KIND,
    Kind,
    column_title,
    from_curie,
    humanise,
    link_parts,
    plain_note,
    plain_text,
    profile_href,
    profile_target,
    sentence_case,
    shown_frame,
    to_curie,
)
from collabkg.explorer.drawing import (
    NetworkState,
    layout,
    legend_html,
    links_table_html,
    network_address,
    network_form_html,
    network_state,
    network_svg,
    selection_html,
)
from collabkg.explorer.forms import (
    FIND_PREFIX,
    ParamField,
    narrow_options,
    param_value,
    params_form_html,
)
from collabkg.explorer.index import Entity, Evidence, ExplorerIndex, Quote, SourceInfo
from collabkg.explorer.kept_index import index_for
from collabkg.explorer.lists import (
    LIST_COLUMNS,
    FilterField,
    ListFilters,
    entity_table,
    filter_entities,
    filter_options,
    filters_form_html,
)
from collabkg.explorer.network import (
    DEFAULT_NODE_CAP,
    RELATIONS,
    NetEdge,
    Network,
    build_network,
    network_edges,
    node_group,
    result_network,
)
from collabkg.explorer.profiles import (
    Fact,
    Profile,
    Section,
    Segment,
    collaboration_profile,
    find_activity,
    organisation_profile,
    profile,
    resolve_id,
    verdict_on_claim,
)
from collabkg.explorer.search import Hit, SearchResults, search
from collabkg.explorer.sources import FactGroup, Passage, SourcedFact, SourcePage, source_page
from collabkg.explorer.style import GROUP_COLOURS, RELATION_COLOURS, SECTOR_GROUPS
from collabkg.explorer.tables import (
    ROWS_PER_PAGE,
    ResultTable,
    column_widths,
    download_frame,
    gap_summary,
    param_choices,
    result_table,
    row_height,
    rows_html,
    table_html,
)

__all__ = [
    "COCREATION_KINDS",
    "DEFAULT_NODE_CAP",
    "FIND_PREFIX",
    "GROUP_COLOURS",
    "LINK_DISPLAY_REGEX",
    "LIST_COLUMNS",
    "NONE_RECORDED",
    "PAGE_OF_KIND",
    "RELATIONS",
    "RELATION_COLOURS",
    "ROWS_PER_PAGE",
    "SECTOR_GROUPS",
    "ChartData",
    "Entity",
    "Evidence",
    "ExplorerIndex",
    "Fact",
    "FactGroup",
    "FilterField",
    "Hit",
    "Kind",
    "ListFilters",
    "NetEdge",
    "Network",
    "NetworkState",
    "ParamField",
    "Passage",
    "Profile",
    "Quote",
    "ResultTable",
    "SearchResults",
    "Section",
    "Segment",
    "SourceInfo",
    "SourcePage",
    "SourcedFact",
    "answer_count",
    "build_network",
    "chart_data",
    "cocreation_by_structure_type",
    "collaboration_profile",
    "collaborations_by_structure_type",
    "column_title",
    "column_widths",
    "download_frame",
    "entity_table",
    "filter_entities",
    "filter_options",
    "filters_form_html",
    "find_activity",
    "from_curie",
    "gap_summary",
    "home_counts",
    "humanise",
    "index_for",
    "layout",
    "legend_html",
    "link_parts",
    "links_table_html",
    "narrow_options",
    "network_address",
    "network_edges",
    "network_form_html",
    "network_state",
    "network_svg",
    "node_group",
    "observed_matrix",
    "organisation_profile",
    "organisations_by_sector",
    "param_choices",
    "param_value",
    "params_form_html",
    "plain_note",
    "plain_text",
    "profile",
    "profile_href",
    "profile_target",
    "resolve_id",
    "result_network",
    "result_table",
    "row_height",
    "rows_html",
    "search",
    "selection_html",
    "sentence_case",
    "shown_frame",
    "source_page",
    "table_html",
    "to_curie",
    "verdict_on_claim",
]
