#!/usr/bin/env python3
"""The closest peer pipeline to `chaff clean`, for scripts/bench: datatrove's
JsonlReader -> C4QualityFilter -> MinhashDedup (stages 1-4) -> JsonlWriter.

usage: datatrove_pipeline.py INPUT_DIR WORK_DIR WORKERS
Runs in the throwaway venv that scripts/bench creates (datatrove, xxhash<4, spacy).
"""
import sys

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup import (MinhashDedupBuckets, MinhashDedupCluster,
                                      MinhashDedupFilter, MinhashDedupSignature)
from datatrove.pipeline.dedup.minhash import MinhashConfig
from datatrove.pipeline.filters import C4QualityFilter
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter


def main():
    src, work, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    cfg = MinhashConfig()  # 5-gram shingles, 14 buckets x 8 hashes = 112 permutations
    tasks = workers

    def reader():
        return JsonlReader(src, glob_pattern="*.jsonl")

    common = dict(tasks=tasks, workers=workers, skip_completed=False)
    LocalPipelineExecutor(pipeline=[reader(), C4QualityFilter(), MinhashDedupSignature(output_folder=f"{work}/sigs", config=cfg)],
                          logging_dir=f"{work}/logs/1", **common).run()
    LocalPipelineExecutor(pipeline=[MinhashDedupBuckets(input_folder=f"{work}/sigs", output_folder=f"{work}/buckets", config=cfg)],
                          tasks=cfg.num_buckets, workers=workers, logging_dir=f"{work}/logs/2", skip_completed=False).run()
    LocalPipelineExecutor(pipeline=[MinhashDedupCluster(input_folder=f"{work}/buckets", output_folder=f"{work}/remove_ids", config=cfg)],
                          tasks=1, workers=1, logging_dir=f"{work}/logs/3", skip_completed=False).run()
    LocalPipelineExecutor(pipeline=[reader(), C4QualityFilter(), MinhashDedupFilter(input_folder=f"{work}/remove_ids"),
                                    JsonlWriter(f"{work}/out")],
                          logging_dir=f"{work}/logs/4", **common).run()


if __name__ == "__main__":
    main()
