"""Writes of many products gathered into Emporix's bulk requests.

The product, price and availability services take up to 200 items a bulk request, whichever product
each item belongs to, and a category up to 200 product assignments a request
(``standard-practices_bulk-request-limits.md``). An apply hands the provider every product change that
is ready at once; each product is still written as its own sequence of steps (template, document,
variants, then prices, stock and category assignment), and at each bulk step it hands its items to that
step's :class:`Round` and waits. A round is sent once every product of the batch has handed in its items
or passed the step (nothing to write there, or it failed before), so one request carries the items of
up to 200 products' writes, and each product gets back the results of its own items: a refused item
fails its own product only, and a request that fails as a whole fails the products that had items in it.

Every round is written by id (``PUT .../bulk`` is an upsert), so a round whose answer is lost can be
sent again without making anything twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from engine.platforms.emporix.api import Doc

Send = Callable[[list[Doc]], Awaitable[list[Doc]]]
STEPS = ("products", "variants", "prices", "stock", "assignments")
"""The bulk steps of a product's write, in the order every product passes them."""


@dataclass
class _Part:
    start: int
    count: int
    answer: asyncio.Future[list[Doc]]


class Round:
    """One bulk step of a batch: collects the items of ``members`` products, then sends them at once."""

    def __init__(self, members: int, send: Send):
        self.expected = members
        self.arrived = 0
        self.items: list[Doc] = []
        self.parts: list[_Part] = []
        self.send = send
        self.task: asyncio.Task[None] | None = None

    async def submit(self, items: Sequence[Doc]) -> list[Doc]:
        """Send ``items`` with the others' and answer their results, indexed from 0 as given."""
        answer: asyncio.Future[list[Doc]] = asyncio.get_running_loop().create_future()
        self.parts.append(_Part(len(self.items), len(items), answer))
        self.items.extend(items)
        self._arrive()
        return await answer

    def leave(self) -> None:
        """This product sends nothing in this step."""
        self._arrive()

    def _arrive(self) -> None:
        self.arrived += 1
        if self.arrived == self.expected:
            self.task = asyncio.ensure_future(self._flush())

    async def _flush(self) -> None:
        try:
            results = await self.send(self.items) if self.items else []
        except BaseException as exc:
            for part in self.parts:
                if not part.answer.done():
                    part.answer.set_exception(exc)
            if isinstance(exc, asyncio.CancelledError):
                raise
            return
        for part in self.parts:
            own = results[part.start : part.start + part.count]
            part.answer.set_result([{**r, "index": int(r.get("index", 0)) - part.start} for r in own])


@dataclass
class Batch:
    """The rounds one apply's products share; ``ticket()`` is one product's passage through them."""

    members: int
    senders: Mapping[str, Send]
    rounds: dict[str, Round] = field(init=False)

    def __post_init__(self) -> None:
        self.rounds = {step: Round(self.members, self.senders[step]) for step in STEPS}

    def ticket(self) -> Ticket:
        return Ticket(self)

    async def settle(self) -> None:
        """Cancel rounds still being sent (an abandoned apply): nothing keeps writing behind it."""
        for step in STEPS:
            task = self.rounds[step].task
            if task is not None and not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)


class Ticket:
    """One product's passage: each step is passed exactly once, with items or without."""

    def __init__(self, batch: Batch):
        self.batch = batch
        self.passed: set[str] = set()

    async def submit(self, step: str, items: Sequence[Doc]) -> list[Doc]:
        if step in self.passed:
            raise RuntimeError(f"the {step} step was passed already")
        self.passed.add(step)
        if not items:
            self.batch.rounds[step].leave()
            return []
        return await self.batch.rounds[step].submit(items)

    def sender(self, step: str) -> Send:
        """``submit`` for one step, as a function of the items."""

        async def send(items: list[Doc]) -> list[Doc]:
            return await self.submit(step, items)

        return send

    def done(self) -> None:
        """The product's write is over (done or failed): pass every step it did not reach."""
        for step in STEPS:
            if step not in self.passed:
                self.passed.add(step)
                self.batch.rounds[step].leave()
