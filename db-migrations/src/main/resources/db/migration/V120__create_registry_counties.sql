-- Issue 15.2: the registry's county names, New York's 62 counties as the state voter file spells
-- them. A registrar key's county scope is checked against this list when the key is created, so a
-- misspelt scope ("Kigns") is refused at once instead of silently scoping a key to nothing. A fixed
-- reference list rather than the distinct counties of `voters`: a registrar for a county whose
-- voters are not loaded yet must be possible (its first import loads them), and a typo of one
-- import must not become a valid scope for everybody.
-- `voters.county` is not tied to this table by a foreign key: the registry predates it, and its
-- loaders (voterImport, the state file) check the county themselves.
CREATE TABLE registry_counties (
    name text NOT NULL,

    CONSTRAINT registry_counties_pkey PRIMARY KEY (name),
    CONSTRAINT registry_counties_name_check CHECK (name ~ '^[A-Z][A-Za-z. ''-]{0,39}$')
);

-- Case-insensitive look-up (a key may be asked for "kings"); also keeps "Kings" and "KINGS" from
-- both being listed.
CREATE UNIQUE INDEX registry_counties_lower_name_key ON registry_counties (lower(name));

INSERT INTO registry_counties (name) VALUES
    ('Albany'), ('Allegany'), ('Bronx'), ('Broome'), ('Cattaraugus'), ('Cayuga'), ('Chautauqua'),
    ('Chemung'), ('Chenango'), ('Clinton'), ('Columbia'), ('Cortland'), ('Delaware'),
    ('Dutchess'), ('Erie'), ('Essex'), ('Franklin'), ('Fulton'), ('Genesee'), ('Greene'),
    ('Hamilton'), ('Herkimer'), ('Jefferson'), ('Kings'), ('Lewis'), ('Livingston'), ('Madison'),
    ('Monroe'), ('Montgomery'), ('Nassau'), ('New York'), ('Niagara'), ('Oneida'), ('Onondaga'),
    ('Ontario'), ('Orange'), ('Orleans'), ('Oswego'), ('Otsego'), ('Putnam'), ('Queens'),
    ('Rensselaer'), ('Richmond'), ('Rockland'), ('St. Lawrence'), ('Saratoga'), ('Schenectady'),
    ('Schoharie'), ('Schuyler'), ('Seneca'), ('Steuben'), ('Suffolk'), ('Sullivan'), ('Tioga'),
    ('Tompkins'), ('Ulster'), ('Warren'), ('Washington'), ('Wayne'), ('Westchester'),
    ('Wyoming'), ('Yates');

COMMENT ON TABLE registry_counties IS 'County names of the voter registry; registrar key scopes are checked against them.';
