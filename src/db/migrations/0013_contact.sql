-- One place for how a person is reached: persons.phone and persons.postal_address, which the
-- calls list and the letters (notify) read. The residents' profile kept a second copy of the
-- phone number; it moves to the account and the column goes. A Dutch letter arrives with
-- postcode and house number alone, so a profile's address fills an empty postal address.
UPDATE persons SET phone = (SELECT f.phone FROM profiles f WHERE f.person_id = persons.id)
WHERE phone = '' AND EXISTS (SELECT 1 FROM profiles f WHERE f.person_id = persons.id AND f.phone <> '');

UPDATE persons SET postal_address = (
    SELECT substr(f.postcode, 1, 4) || ' ' || substr(f.postcode, 5, 2) || ' ' || f.house_number
    FROM profiles f WHERE f.person_id = persons.id)
WHERE postal_address = '' AND EXISTS (SELECT 1 FROM profiles f WHERE f.person_id = persons.id
    AND length(f.postcode) = 6 AND f.house_number <> '');

ALTER TABLE profiles DROP COLUMN phone;
