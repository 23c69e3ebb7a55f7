"""A repository's upstream graph, as far as the user may see it.

Upstreams are walked depth-first in their search order (as the resolver searches them), each
described with the user's own DescribeRepository permission: a repository the user may not
describe is shown by name only, with nothing behind it. A repository met again (upstream
graphs may have cycles and diamonds) is shown once more by name, marked as already shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coffer.domain.model import RepositoryInfo
from coffer.errors import AccessDenied, NotFound
from coffer.web.view import View

__all__ = ["MAX_NODES", "Node", "upstream_graph"]

MAX_NODES = 25  # the resolver searches at most this many repositories


@dataclass
class Node:
    name: str
    visible: bool = True
    repeated: bool = False
    external_connections: tuple[str, ...] = ()
    upstreams: list[Node] = field(default_factory=list)


async def upstream_graph(view: View, root: RepositoryInfo) -> Node:
    seen = {root.name}
    node = Node(root.name, external_connections=root.external_connections)
    await _expand(view, root, node, seen)
    return node


async def _expand(view: View, info: RepositoryInfo, node: Node, seen: set[str]) -> None:
    for name in info.upstreams:
        if name in seen or len(seen) >= MAX_NODES:
            node.upstreams.append(Node(name, repeated=True))
            continue
        seen.add(name)
        try:
            upstream = await view.services.repositories.describe(
                view.caller, info.domain_name, info.domain_owner, name
            )
        except (AccessDenied, NotFound):
            node.upstreams.append(Node(name, visible=False))
            continue
        child = Node(name, external_connections=upstream.external_connections)
        node.upstreams.append(child)
        await _expand(view, upstream, child, seen)
