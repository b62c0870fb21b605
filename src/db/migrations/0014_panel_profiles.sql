-- The group (profile) of every volunteer number as the draw's child process wrote it
-- (profiles.csv: "id,profile", in the order of the people file), kept with the published
-- distribution, so that the draw can still be redone from the published files after a
-- volunteer has been erased. Numbers and groups only, as on the public page.
ALTER TABLE panel_runs ADD COLUMN profiles TEXT NOT NULL DEFAULT '';
